/// The record types the DNS lists look up.
public enum DNSRecordType: Hashable, Sendable, CustomStringConvertible {
    /// IPv4 addresses: the list's codes.
    case a
    /// Text: what the list says of an entry (Spamhaus: a URL explaining it).
    case txt

    /// `A` or `TXT`.
    public var description: String {
        switch self {
        case .a: return "A"
        case .txt: return "TXT"
        }
    }
}

/// What a lookup came back with.
public enum DNSAnswer: Hashable, Sendable, CustomStringConvertible {
    /// Records of the type asked for: IPv4 addresses (host byte order) for `A`, strings for
    /// `TXT` (the character strings of each record joined); `ttl` is the least of theirs
    /// (and of any CNAME on the way), in seconds.
    case records(addresses: [UInt32], texts: [String], ttl: UInt32)
    /// The name does not exist (NXDOMAIN) or has no record of the type (NODATA): the list
    /// does not hold the entry. `ttl` is how long that may be believed (RFC 2308: the
    /// least of the SOA record's TTL and its minimum field), nil when the answer had no SOA.
    case notFound(ttl: UInt32?)
    /// No usable answer.
    case failed(DNSFailure)

    /// A short account for logs and reports.
    public var description: String {
        switch self {
        case .records(let addresses, let texts, let ttl):
            let shown = addresses.map(IPv4Text.format) + texts.map { "\"\($0)\"" }
            return "\(shown.joined(separator: ", ")) (TTL \(ttl) s)"
        case .notFound: return "not found"
        case .failed(let failure): return failure.description
        }
    }
}

/// Why a lookup gave no usable answer.
public enum DNSFailure: Hashable, Sendable, CustomStringConvertible {
    /// No answer within the lookup's time.
    case timeout
    /// The server said SERVFAIL.
    case serverFailure
    /// The server refused the query (REFUSED).
    case refused
    /// The answer could not be read.
    case malformedAnswer
    /// The resolver had too many lookups waiting and took no more.
    case overloaded
    /// The resolver was shut down first.
    case shutDown
    /// Anything else c-ares reports, by its description.
    case other(String)

    /// The failure in a few words.
    public var description: String {
        switch self {
        case .timeout: return "timeout"
        case .serverFailure: return "SERVFAIL"
        case .refused: return "refused"
        case .malformedAnswer: return "malformed answer"
        case .overloaded: return "resolver overloaded"
        case .shutDown: return "resolver shut down"
        case .other(let text): return text
        }
    }
}
