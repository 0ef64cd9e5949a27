/// A DNS list as declared: `dnslist NAME ZONE [CODES...]`.
public struct DNSList: Hashable, Sendable, CustomStringConvertible {
    /// The name rules call it by.
    public let name: String
    /// The zone looked up in, lowercased, e.g. `zen.spamhaus.org`.
    public let zone: String
    /// Which answers count as listed.
    public let codes: DNSListCodes
    /// Whether a step whose `listed` term on this list cannot be decided (the lookup timed
    /// out or failed) is answered tempfail, rather than the term being false.
    public let tempfailsOnFailure: Bool

    /// A list `name` in `zone` whose answers count as `codes` say.
    public init(name: String, zone: String, codes: DNSListCodes = .loopbackBlock, tempfailsOnFailure: Bool = false) {
        self.name = name
        self.zone = zone.lowercased()
        self.codes = codes
        self.tempfailsOnFailure = tempfailsOnFailure
    }

    /// `NAME (ZONE)`.
    public var description: String { "\(name) (\(zone))" }
}

/// What is looked up in a list: a client address, or a domain (HELO name, the sender's
/// domain, a host name, a link's host).
public enum DNSListSubject: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 or IPv6 address, as text.
    case address(String)
    /// A domain name.
    case domain(String)

    /// Whether it is an address or a domain: a list is checked for answering every name
    /// once for each kind it is asked about.
    public var kind: DNSListSubjectKind {
        switch self {
        case .address: return .address
        case .domain: return .domain
        }
    }

    /// The name looked up for it in `list`, nil when it is not something a list holds.
    public func queryName(in list: DNSList) -> String? {
        switch self {
        case .address(let address): return DNSListQueryName.forAddress(address, zone: list.zone)
        case .domain(let domain): return DNSListQueryName.forDomain(domain, zone: list.zone)
        }
    }

    /// The address or domain.
    public var description: String {
        switch self {
        case .address(let text), .domain(let text): return text
        }
    }
}

/// What a list is asked about: addresses (DNSBL, DNSWL) or domains (RHSBL, URI lists).
public enum DNSListSubjectKind: Hashable, Sendable {
    case address
    case domain

    /// A name of this kind that no list holds, in `zone`: the address 255.255.255.255 (the
    /// limited broadcast address, never a mail client) and RFC 5782's `invalid` test
    /// entry, which a list must not list. A list that lists it answers every name.
    public func nameNoListHolds(in zone: String) -> String {
        switch self {
        case .address: return "255.255.255.255." + zone
        case .domain: return "invalid." + zone
        }
    }
}

/// The outcome of looking a subject up in a list.
public enum DNSListResult: Hashable, Sendable, CustomStringConvertible {
    /// Listed: the answers within the list's codes, and its TXT record when it was asked
    /// for and there is one.
    case listed(codes: [UInt32], text: String?)
    /// Not in the list (not found, or answers outside the codes).
    case notListed
    /// Nothing was looked up: the subject is not an address or domain a list holds (a HELO
    /// of `[192.0.2.1]`, an empty sender).
    case notLookedUp
    /// The list could not say; the reason says why. Rules take it as not listed unless the
    /// list says to tempfail.
    case unknown(DNSListUnknown)

    /// Whether the subject is listed.
    public var isListed: Bool {
        if case .listed = self { return true }
        return false
    }

    /// The result in a few words, as logs and the dry-run show it.
    public var description: String {
        switch self {
        case .listed(let codes, let text):
            let shown = codes.map(IPv4Text.format).joined(separator: ", ")
            return text.map { "listed (\(shown), \"\($0)\")" } ?? "listed (\(shown))"
        case .notListed: return "not listed"
        case .notLookedUp: return "not looked up"
        case .unknown(let why): return "unknown (\(why))"
        }
    }
}

/// Why a list could not say.
public enum DNSListUnknown: Hashable, Sendable, CustomStringConvertible {
    /// The lookup failed (timeout, SERVFAIL, …).
    case failed(DNSFailure)
    /// The list answered with a code that refuses the resolver (Spamhaus 127.255.255.x).
    case resolverRefused(UInt32)
    /// The list is suspended after timeouts in a row.
    case suspended
    /// The list lists a name no list holds: it seems to answer every name (see
    /// ``DNSListLookups``).
    case answersEveryName

    /// The reason in a few words.
    public var description: String {
        switch self {
        case .failed(let failure): return failure.description
        case .resolverRefused(let code): return "the list refuses this resolver: \(IPv4Text.format(code))"
        case .suspended: return "list suspended after timeouts"
        case .answersEveryName: return "the list answers every name"
        }
    }
}
