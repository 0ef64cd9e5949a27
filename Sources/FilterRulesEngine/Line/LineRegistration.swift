import FilterRules

/// What the line adapter registers with smtpd, decided once at start: smtpd reads the
/// registration only in the handshake, so rules that a reload adds for a phase left out
/// here do not see their phase until smtpd restarts (it never restarts a filter by itself).
public struct LineRegistration: Sendable, Equatable {
    /// Whether the content phases (data-line, commit) are registered.
    public let includesContent: Bool
    /// Whether the `link-auth` and `link-tls` reports are registered (the rules at start
    /// have auth, authfail or tls terms, or `--content-phases always` asks for everything).
    public let includesSessionFacts: Bool

    /// The registration for the rules at start under `contentPhases`.
    public init(ruleSet: CompiledRuleSet, contentPhases: ContentPhases) {
        includesContent = contentPhases == .always || ruleSet.hasMessageRules || ruleSet.addsHeadersFromEnvelope
        includesSessionFacts = contentPhases == .always || Self.factStages.contains { ruleSet.hasTerms(of: $0) }
    }

    /// The stages whose rules need the link-auth and link-tls reports.
    static let factStages: [Stage] = [.auth, .authfail, .tls]

    /// The phases registered, in the order they are sent.
    public var phases: [String] { LinePhases.envelope + (includesContent ? LinePhases.content : []) }

    /// The stages of `ruleSet` that have rules but whose phases were not registered.
    public func unregisteredStages(of ruleSet: CompiledRuleSet) -> [Stage] {
        guard !includesContent else { return [] }
        return Stage.allCases.filter { stage in
            ruleSet.hasTerms(of: stage)
                && (LinePhases.contentStages.contains(stage)
                    || ruleSet.rules.contains { $0.rule.action.addsHeader && $0.rule.terms.contains { $0.stage == stage } })
        }
    }

    /// What a reload's log line says about `ruleSet` when some of its rules cannot apply
    /// without a restart of smtpd; nil when every rule can.
    public func unregisteredNote(for ruleSet: CompiledRuleSet) -> String? {
        var notes: [String] = []
        let stages = unregisteredStages(of: ruleSet)
        if !stages.isEmpty {
            let names = stages.map(\.rawValue).joined(separator: ", ")
            notes.append(
                "\(names) rules need the \(LinePhases.content.joined(separator: "/")) phases, which were not registered "
                    + "with smtpd at start: restart smtpd to apply them")
        }
        let facts = Self.factStages.filter { ruleSet.hasTerms(of: $0) }
        if !includesSessionFacts, !facts.isEmpty {
            notes.append(
                "\(facts.map(\.rawValue).joined(separator: ", ")) terms need the link-auth/link-tls reports, which were "
                    + "not registered with smtpd at start: until smtpd restarts they see the empty string")
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }
}
