import FilterRules

/// A rule's regex that hit a PCRE2 limit (match, depth, heap or JIT stack) while a session
/// was evaluated, and what was done about it.
public struct RegexLimitHit: Sendable, Equatable, CustomStringConvertible {
    /// What the rules do when a regex hits a limit (`set fail-closed`).
    public enum Outcome: String, Sendable, Equatable {
        /// The rule counts as not matching; the next rules are tried.
        case treatedAsNoMatch = "treated as no match"
        /// The stage is answered with a temporary failure.
        case failClosed = "fail-closed: answered tempfail"
    }

    /// The rule whose regex hit the limit.
    public var rule: Rule
    /// Which limit, in PCRE2's words (`match limit exceeded`, `depth limit exceeded`, ...).
    public var limit: String
    /// What was done.
    public var outcome: Outcome

    /// Creates a record.
    public init(rule: Rule, limit: String, outcome: Outcome) {
        self.rule = rule
        self.limit = limit
        self.outcome = outcome
    }

    /// `body rules.conf:3: match limit exceeded, treated as no match`, as logged and reported.
    public var description: String {
        "\(rule.stage) \(rule.location.fileAndLine): \(limit), \(outcome.rawValue)"
    }
}
