/// Which answers of a DNS list count as "listed": IPv4 addresses, ranges and CIDR blocks
/// (`127.0.0.2`, `127.0.0.2-127.0.0.11`, `127.0.1.0/24`), by default all of 127.0.0.0/8.
///
/// An answer outside the codes is not a match: a list whose domain expired and now answers
/// every name with a web server's address does not refuse mail (RFC 5782 puts list entries
/// in 127.0.0.0/8). Spamhaus's error codes, 127.255.255.252 (typing error in the list's
/// name), .254 (query through a public or open resolver) and .255 (too many queries), are
/// never a match whatever the codes say: they report that the *resolver* is refused.
public struct DNSListCodes: Hashable, Sendable, CustomStringConvertible {
    /// The ranges that count, as inclusive pairs of addresses in host byte order.
    public let ranges: [ClosedRange<UInt32>]

    /// 127.0.0.0/8, what counts when a declaration names no codes.
    public static let loopbackBlock = DNSListCodes(ranges: [0x7f00_0000...0x7fff_ffff])

    /// The answers that say a resolver is refused by the list (Spamhaus's 127.255.255.252,
    /// .254 and .255).
    public static let refusedResolverCodes: Set<UInt32> = [0x7fff_fffc, 0x7fff_fffe, 0x7fff_ffff]

    /// Codes of `ranges`.
    public init(ranges: [ClosedRange<UInt32>]) {
        self.ranges = ranges
    }

    /// The codes written as `words` (each an address, a range `A-B` or a block `A/N`);
    /// none means ``loopbackBlock``.
    ///
    /// - Throws: ``DNSListCodeError`` naming the word and what is wrong with it.
    public init(parsing words: [String]) throws(DNSListCodeError) {
        if words.isEmpty {
            self = .loopbackBlock
            return
        }
        var ranges: [ClosedRange<UInt32>] = []
        for word in words { ranges.append(try Self.range(word)) }
        self.ranges = ranges
    }

    /// What an answer of the list means under these codes.
    public func classify(_ address: UInt32) -> DNSListAnswerClass {
        if Self.refusedResolverCodes.contains(address) { return .resolverRefused }
        return ranges.contains { $0.contains(address) } ? .listed : .notListed
    }

    /// The codes as they would be written.
    public var description: String {
        ranges.map { range in
            range.lowerBound == range.upperBound
                ? IPv4Text.format(range.lowerBound)
                : "\(IPv4Text.format(range.lowerBound))-\(IPv4Text.format(range.upperBound))"
        }.joined(separator: " ")
    }

    /// One word of codes as a range.
    static func range(_ word: String) throws(DNSListCodeError) -> ClosedRange<UInt32> {
        if let slash = word.firstIndex(of: "/") {
            let base = String(word[..<slash]), lengthText = String(word[word.index(after: slash)...])
            guard let address = IPv4Text.parse(base) else { throw .notAnAddress(word: word, part: base) }
            guard let length = Int(lengthText), (0...32).contains(length) else {
                throw .badPrefixLength(word: word)
            }
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
            guard address & ~mask == 0 else {
                throw .hostBitsSet(word: word, network: "\(IPv4Text.format(address & mask))/\(length)")
            }
            return address...(address | ~mask)
        }
        if let dash = word.firstIndex(of: "-") {
            let lowText = String(word[..<dash]), highText = String(word[word.index(after: dash)...])
            guard let low = IPv4Text.parse(lowText) else { throw .notAnAddress(word: word, part: lowText) }
            guard let high = IPv4Text.parse(highText) else { throw .notAnAddress(word: word, part: highText) }
            guard low <= high else { throw .reversedRange(word: word) }
            return low...high
        }
        guard let address = IPv4Text.parse(word) else { throw .notAnAddress(word: word, part: word) }
        return address...address
    }
}

/// What one answer of a DNS list means.
public enum DNSListAnswerClass: Hashable, Sendable {
    /// Within the list's codes.
    case listed
    /// Outside them.
    case notListed
    /// One of the codes with which a list refuses the resolver (never a match).
    case resolverRefused
}

/// Why a word of DNS list codes was refused; the description says how to write it.
public enum DNSListCodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A part is not a dotted IPv4 address.
    case notAnAddress(word: String, part: String)
    /// The prefix length of a block is not 0 to 32.
    case badPrefixLength(word: String)
    /// A block has bits set past its prefix.
    case hostBitsSet(word: String, network: String)
    /// A range whose first address is above its last.
    case reversedRange(word: String)

    /// The error with a hint.
    public var description: String {
        switch self {
        case .notAnAddress(let word, let part):
            return "'\(part)' in the code '\(word)' is not an IPv4 address (codes are written 127.0.0.2, 127.0.0.2-127.0.0.11 or 127.0.1.0/24)"
        case .badPrefixLength(let word):
            return "the block '\(word)' needs a prefix length of 0 to 32 after the '/'"
        case .hostBitsSet(let word, let network):
            return "the block '\(word)' has bits set past its prefix length; write \(network)"
        case .reversedRange(let word):
            return "the range '\(word)' ends before it starts; write the lower address first"
        }
    }
}
