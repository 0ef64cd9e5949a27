import FilterRules

/// A new session evaluated with the rules of `text`, compiled as if read from `file` (which
/// diagnostics and decisions name as `file:line`).
public func rulesSession(_ text: String, file: String) throws -> SessionEvaluator {
    SessionEvaluator(ruleSet: try RuleSetLoader.compile(text: text, file: file))
}
