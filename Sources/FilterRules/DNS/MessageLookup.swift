import DNSLists

/// One lookup the `listed` terms of a message need: a domain the message names (a header's
/// address, a link's host), in a list.
public struct MessageLookup: Hashable, Sendable, CustomStringConvertible {
    /// The list.
    public let list: DNSList
    /// The domain, lowercased.
    public let domain: String
    /// Whether a listing's TXT record is wanted too (a rule on the list says `$txt`).
    public let wantsText: Bool

    /// A lookup of `domain` in `list`.
    public init(list: DNSList, domain: String, wantsText: Bool) {
        self.list = list
        self.domain = domain
        self.wantsText = wantsText
    }

    /// What is looked up.
    public var subject: DNSListSubject { .domain(domain) }

    /// `dbl example.net`.
    public var description: String { "\(list.name) \(domain)" }
}

/// Where a message named the domains a message-stage `listed` term looks up.
enum MessageDomainSource: Hashable {
    /// The addresses of the headers of this lowercased name.
    case header([UInt8])
    /// The hosts of the links in the decoded text.
    case bodyLinks

    /// The source of `term`'s domains (a `header NAME` or `body links` term).
    init(of term: CompiledTerm) {
        self = term.headerName.map { .header($0) } ?? .bodyLinks
    }

    /// `header from`, `body links`: as the dry-run shows it.
    var description: String {
        switch self {
        case .header(let name): return "header " + String(decoding: name, as: UTF8.self)
        case .bodyLinks: return "body links"
        }
    }
}

/// The domains one message named for its `listed` terms, the lookups they need and their
/// results: at most ``RuleOptions/dnsListDomains`` distinct domains, the first ones (its
/// headers come before its text).
struct MessageListings {
    /// The domains named by each source, each once, in order.
    private(set) var domains: [MessageDomainSource: [String]] = [:]
    /// Every domain counted against the bound.
    private var counted: Set<String> = []
    /// The lookups asked for, in order, each with the source that named its domain first.
    private(set) var requested: [(lookup: MessageLookup, origin: String)] = []
    private var requestedSet: Set<MessageLookup> = []
    /// The results the engine gave, by lookup.
    var results: [MessageLookup: DNSListResult] = [:]

    /// Notes `domain` named by `source` for `lists`; returns the lookups it newly needs.
    mutating func add(
        _ domain: String, from source: MessageDomainSource, lists: [DNSList], limit: Int, wantsText: (DNSList) -> Bool
    ) -> [MessageLookup] {
        if !counted.contains(domain) {
            guard counted.count < limit else { return [] }
            counted.insert(domain)
        }
        if domains[source]?.contains(domain) != true { domains[source, default: []].append(domain) }
        var new: [MessageLookup] = []
        for list in lists {
            let lookup = MessageLookup(list: list, domain: domain, wantsText: wantsText(list))
            guard requestedSet.insert(lookup).inserted else { continue }
            requested.append((lookup, source.description))
            new.append(lookup)
        }
        return new
    }

    /// What a `listed` term on `list` sees for `source`'s domains: listed when one is (the
    /// first listing's answer), else unknown when a lookup could not say, else not listed
    /// (also when the source named no domain).
    func result(of list: DNSList, for source: MessageDomainSource, wantsText: Bool) -> DNSListResult {
        var unknown: DNSListResult?
        for domain in domains[source] ?? [] {
            let result = results[MessageLookup(list: list, domain: domain, wantsText: wantsText)] ?? .notLookedUp
            if result.isListed { return result }
            if case .unknown = result, unknown == nil { unknown = result }
        }
        return unknown ?? .notListed
    }
}
