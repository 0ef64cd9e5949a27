import DNSLists

/// What a rules file declares for its terms to name: DNS lists, rate limits and dynamic
/// lists, each by name.
struct RuleDeclarations: Sendable {
    var dnsLists: [String: DNSList] = [:]
    var limits: [String: LimitDeclaration] = [:]
    var dynlists: [String: DynlistDeclaration] = [:]

    /// The declarations of `options`, and a diagnostic for each name declared twice.
    static func of(_ options: RuleOptions) -> (RuleDeclarations, [RuleDiagnostic]) {
        let (lists, listErrors) = DNSListCheck.declared(options.dnsLists)
        let (limits, limitErrors) = StoreCheck.declared(options.rateLimits, kind: "limit") { ($0.name, $0.location) }
        let (dynlists, dynlistErrors) = StoreCheck.declared(options.dynlists, kind: "dynlist") { ($0.name, $0.location) }
        return (RuleDeclarations(dnsLists: lists, limits: limits, dynlists: dynlists), listErrors + limitErrors + dynlistErrors)
    }
}
