import FilterRules

/// Which line-protocol phases each stage of the rules needs.
public enum LinePhases {
    /// The phases (and their order) for a stage: connect and addr at `connect`, helo at
    /// `helo` and `ehlo`, mail at `mail-from`, rcpt at `rcpt-to`, the data stages at
    /// `data-line` with the verdict at `commit`.
    public static func phases(for stage: Stage) -> [String] {
        switch stage {
        case .connect, .addr: return ["connect"]
        case .helo: return ["helo", "ehlo"]
        case .mail: return ["mail-from"]
        case .rcpt: return ["rcpt-to"]
        case .header, .body, .dataline: return ["data-line", "commit"]
        }
    }

    /// The stages that have at least one rule in `ruleSet`.
    public static func stages(usedBy ruleSet: CompiledRuleSet) -> Set<Stage> {
        Set(Stage.allCases.filter { ruleSet.ruleCount(of: $0) > 0 })
    }
}
