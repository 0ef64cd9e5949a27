import FilterRules
import OpenSMTPD

/// The log line of a decision that is not a plain accept:
///
///     session 0a1b2c3d4e5f6071 helo rules.conf:12 reject 550 5.7.1 Go away, matched "localhost"
///
/// - a rule decided: the rule's stage as written (`addr`, `connect`, `header`, `body`, ...),
///   its `file:line`, its action, the reply and the input it matched (see ``InputExcerpt``);
/// - an earlier step decided (`accept session`, `accept transaction`): the step, the rule,
///   the verdict and why, e.g. `session ... rcpt rules.conf:1 accept (accept session)`;
/// - a regex limit decided (fail-closed): the stage, the verdict, the reply, why, and the
///   input the limit was hit on (`, on "..."`).
public enum DecisionLogLine {
    /// The line for `decision`, made at `step` (connect, helo, mail, rcpt, data, message) of
    /// session `session`; nil for a plain accept, which is not logged.
    public static func text(session: UInt64, step: String, decision: Decision) -> String? {
        guard decision.rule != nil || decision.reason != nil else { return nil }
        return line(session: session, step: step, decision: decision, would: false)
    }

    /// The line of `decision`; with `would`, the verb is `would VERDICT` (report-only).
    private static func line(session: UInt64, step: String, decision: Decision, would: Bool) -> String {
        var line = "session \(SessionIdentifier.hex(session))"
        let verb = would ? "would " : ""
        switch (decision.rule, decision.reason) {
        case let (rule?, nil):
            line += " \(stage(of: rule, at: decision.matchedInput)) \(rule.location.fileAndLine) \(verb)\(rule.action)"
        case let (rule?, _?):
            line += " \(step) \(rule.location.fileAndLine) \(verb)\(decision.verdict)"
        case (nil, _):
            line += " \(decision.matchedInput?.stage.rawValue ?? step) \(verb)\(decision.verdict)"
        }
        if let reply = decision.reply { line += " \(reply.code) \(reply.text)" }
        if let reason = decision.reason { line += " (\(reason))" }
        if let input = decision.matchedInput {
            line += "\(decision.rule == nil ? ", on" : ", matched") \(InputExcerpt(input.bytes).quoted)"
        }
        if let score = decision.score { line += ", score \(score)" }
        return line
    }

    /// The line of a junk, add-header, warn or score match:
    ///
    ///     session 0a1b2c3d4e5f6071 body rules.conf:7 add-header "X-Offer: bit.ly", matched "see bit.ly/x"
    public static func text(session: UInt64, mark: RuleMark) -> String {
        "session \(SessionIdentifier.hex(session)) \(stage(of: mark.rule, at: mark.matchedInput)) \(mark.rule.location.fileAndLine) \(mark), "
            + "matched \(InputExcerpt(mark.matchedInput.bytes).quoted)"
    }

    /// The line of a refusal that report-only mode held back, worded as it would have been
    /// logged with `would` before the verdict:
    ///
    ///     session 0a1b2c3d4e5f6071 helo rules.conf:12 would reject 550 5.7.1 Go away, matched "localhost" (report-only)
    public static func text(session: UInt64, step: String, withheld: WithheldRefusal) -> String {
        line(session: session, step: step, decision: withheld.decision, would: true) + " (report-only)"
    }

    /// The stage a log line names for `rule`: a plain rule's own, a combined rule's where it
    /// fired (the stage of the input it was decided on).
    static func stage(of rule: Rule, at input: MatchedInput?) -> Stage {
        rule.expression == nil ? rule.stage : (input?.stage ?? rule.stage)
    }
}
