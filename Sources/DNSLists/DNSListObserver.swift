/// Where DNS list lookups are counted (the metrics endpoint).
///
/// Called on the thread that answered: keep it cheap and thread-safe.
public protocol DNSListObserver: Sendable {
    /// A query to `list` was answered with `outcome` after `duration`.
    func dnsListQueried(_ list: String, outcome: DNSListQueryOutcome, duration: Duration)
    /// A check of `list` was answered from the cache.
    func dnsListCacheHit(_ list: String)
}

/// How one query to a DNS list ended.
public enum DNSListQueryOutcome: String, Sendable, CaseIterable {
    /// An answer within the list's codes.
    case listed
    /// Not found, or an answer outside the codes.
    case clean
    /// No answer in time.
    case timeout
    /// A server failure, refusal or malformed answer.
    case error
    /// The list refused the resolver (e.g. Spamhaus's 127.255.255.254).
    case blocked

    /// The outcome of `answer` under `list`'s codes.
    init(_ answer: DNSAnswer, list: DNSList) {
        switch answer {
        case .records(let addresses, _, _):
            var outcome = DNSListQueryOutcome.clean
            for address in addresses {
                switch list.codes.classify(address) {
                case .listed: if outcome == .clean { outcome = .listed }
                case .resolverRefused:
                    self = .blocked
                    return
                case .notListed: break
                }
            }
            self = outcome
        case .notFound: self = .clean
        case .failed(.timeout): self = .timeout
        case .failed: self = .error
        }
    }
}
