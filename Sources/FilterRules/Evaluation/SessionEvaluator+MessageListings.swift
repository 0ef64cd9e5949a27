import DNSLists

/// The `listed` terms of the message (`header NAME listed`, `body links listed`): the
/// domains the message names are collected as it streams through, each new lookup goes to
/// ``SessionEvaluator/onMessageLookup`` at once (the engine starts it while the rest of the
/// message comes), and the terms get their values at the end of the message from the
/// results the engine gives (``SessionEvaluator/setMessageListings(_:)``).
extension SessionEvaluator {
    /// The lookups the current message's `listed` terms asked for so far, in order, each
    /// with where the message first named its domain (`header from`, `body links`).
    public var messageLookups: [(lookup: MessageLookup, origin: String)] { message.listings.requested }

    /// The results of the current message's lookups (``messageLookups``), before
    /// ``endOfMessage()``: what its `listed` terms see. A lookup without a result is not a
    /// listing.
    public func setMessageListings(_ results: [MessageLookup: DNSListResult]) {
        message.listings.results.merge(results) { _, new in new }
    }

    /// Gives the decoder's last held text to the rules, so that every domain of the message
    /// is known (and its lookup asked for) before ``endOfMessage()``, which does it
    /// otherwise.
    public func finishMessageContent() {
        finishContent()
    }

    /// Notes the domains of one decoded input (a header, a line of text) that `listed`
    /// terms look up, and asks for the lookups they newly need.
    func noteMessageDomains(_ stage: Stage, _ subject: MatchSubject) {
        let source: MessageDomainSource
        let lists: [DNSList]
        let domains: [String]
        switch stage {
        case .header:
            guard let header = subject.header else { return }
            lists = ruleSet.dnsLists(forHeader: header.lowercasedName)
            guard !lists.isEmpty else { return }
            source = .header(header.lowercasedName)
            domains = MessageDomains.ofHeader(subject.bytes[header.valueStart...])
        case .body:
            lists = ruleSet.dnsLists(at: .body)
            guard !lists.isEmpty else { return }
            source = .bodyLinks
            domains = MessageDomains.ofLinks(in: subject.bytes)
        default:
            return
        }
        let limit = ruleSet.options.dnsListDomains
        for domain in domains {
            for lookup in message.listings.add(domain, from: source, lists: lists, limit: limit, wantsText: ruleSet.wantsText) {
                onMessageLookup?(lookup)
            }
        }
    }

    /// What a message `listed` term sees at the end of the message: listed when one of its
    /// domains is.
    func messageListing(for term: CompiledTerm) -> DNSListResult {
        guard case .dnsList(let list) = term.predicate else { return .notListed }
        return message.listings.result(of: list, for: MessageDomainSource(of: term), wantsText: ruleSet.wantsText(list))
    }
}
