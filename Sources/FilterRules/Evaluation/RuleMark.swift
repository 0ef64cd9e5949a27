/// A rule that matched without deciding: `junk`, `add-header`, `warn`, `score`, `add-to`
/// or `remove-from`
/// (evaluation went on with the next rule).
public struct RuleMark: Hashable, Sendable, CustomStringConvertible {
    /// What the rule does to the message.
    public enum Kind: Hashable, Sendable {
        /// The message is marked as spam.
        case junk
        /// This header line is added to the message (captures expanded and sanitised).
        case header(String)
        /// Only logged.
        case warn
        /// These points are added to the transaction's score.
        case score(Score)
        /// The session's key is put on this dynamic list.
        case addTo(String)
        /// The session's key is taken off this dynamic list.
        case removeFrom(String)
    }

    /// What the rule does.
    public var kind: Kind
    /// The rule.
    public var rule: Rule
    /// The input it matched.
    public var matchedInput: MatchedInput

    /// Creates a mark.
    public init(kind: Kind, rule: Rule, matchedInput: MatchedInput) {
        self.kind = kind
        self.rule = rule
        self.matchedInput = matchedInput
    }

    /// `junk`, `add-header "X-Name: value"` or `warn`, with the header as added.
    public var description: String {
        switch kind {
        case .junk: return "junk"
        case .header(let line): return "add-header \"\(line)\""
        case .warn: return "warn"
        case .score(let points): return "score \(points)"
        case .addTo(let list): return "add-to \(list)"
        case .removeFrom(let list): return "remove-from \(list)"
        }
    }
}

/// A refusal that `set mode report-only` did not carry out: what would have been answered.
public struct WithheldRefusal: Hashable, Sendable, CustomStringConvertible {
    /// The verdict that would have been given (reject, tempfail, disconnect).
    public var verdict: Verdict
    /// The reply that would have been sent.
    public var reply: Reply?
    /// The rule that would have decided, nil when a regex limit would have (fail-closed).
    public var rule: Rule?
    /// Why, when no rule would have decided.
    public var reason: String?
    /// The input it would have been decided on.
    public var matchedInput: MatchedInput?

    /// The refusal `decision` would have been.
    public init(_ decision: Decision) {
        verdict = decision.verdict
        reply = decision.reply
        rule = decision.rule
        reason = decision.reason
        matchedInput = decision.matchedInput
    }

    /// The decision it would have been.
    public var decision: Decision {
        Decision(verdict: verdict, reply: reply, rule: rule, reason: reason, matchedInput: matchedInput)
    }

    /// `would reject 550 5.7.1 ...`.
    public var description: String {
        var text = "would \(verdict)"
        if let reply { text += " \(reply)" }
        return text
    }
}
