import FilterRules

/// What the line adapter registers with smtpd, decided once at start: smtpd reads the
/// registration only in the handshake, so rules that a reload adds for a phase left out
/// here do not see their phase until smtpd restarts (it never restarts a filter by itself).
public struct LineRegistration: Sendable, Equatable {
    /// Whether the content phases (data-line, commit) are registered.
    public let includesContent: Bool

    /// The registration for the rules at start under `contentPhases`.
    public init(ruleSet: CompiledRuleSet, contentPhases: ContentPhases) {
        includesContent = contentPhases == .always || ruleSet.hasMessageRules || ruleSet.addsHeadersFromEnvelope
    }

    /// The phases registered, in the order they are sent.
    public var phases: [String] { LinePhases.envelope + (includesContent ? LinePhases.content : []) }

    /// The stages of `ruleSet` that have rules but whose phases were not registered.
    public func unregisteredStages(of ruleSet: CompiledRuleSet) -> [Stage] {
        guard !includesContent else { return [] }
        return Stage.allCases.filter { stage in
            ruleSet.ruleCount(of: stage) > 0 && (LinePhases.contentStages.contains(stage)
                || ruleSet.rules.contains { $0.rule.stage == stage && $0.rule.action.addsHeader })
        }
    }

    /// What a reload's log line says about `ruleSet` when some of its rules cannot apply
    /// without a restart of smtpd; nil when every rule can.
    public func unregisteredNote(for ruleSet: CompiledRuleSet) -> String? {
        let stages = unregisteredStages(of: ruleSet)
        guard !stages.isEmpty else { return nil }
        let names = stages.map(\.rawValue).joined(separator: ", ")
        return "\(names) rules need the \(LinePhases.content.joined(separator: "/")) phases, which were not registered "
            + "with smtpd at start: restart smtpd to apply them"
    }
}
