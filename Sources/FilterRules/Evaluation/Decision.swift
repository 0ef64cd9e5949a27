/// The kinds of answer a stage can get.
public enum Verdict: String, Hashable, Sendable, CustomStringConvertible {
    /// The stage passes.
    case accept
    /// A permanent refusal (5xx).
    case reject
    /// A temporary refusal (4xx).
    case tempfail
    /// Reply and close the session.
    case disconnect

    /// The verdict's name.
    public var description: String { rawValue }
}

/// The answer the rules give to one step of a session, and why.
public struct Decision: Hashable, Sendable, CustomStringConvertible {
    /// What kind of answer.
    public var verdict: Verdict
    /// The reply for refusals, nil for accept.
    public var reply: Reply?
    /// The rule that decided, nil when no rule matched (plain accept) or a limit decided.
    public var rule: Rule?
    /// Why the answer was given when no rule gave it (e.g. fail-closed after a PCRE2 limit,
    /// or an earlier `accept session`).
    public var reason: String?
    /// The input the decision was made on: what the deciding rule matched (or, fail-closed,
    /// the input a regex hit its limit on); nil for a plain accept and for decisions an
    /// earlier step made (`accept session`).
    public var matchedInput: MatchedInput?
    /// The junk, add-header and warn rules that matched during the step, in file order
    /// (for the end of the message: during the whole message). A refused step's marks do
    /// not apply to the message.
    public var marks: [RuleMark]
    /// The refusal `set mode report-only` held back: what would have been answered.
    public var withheld: WithheldRefusal?
    /// For the end of the message: what the rules add to it (from every stage of the
    /// session, the transaction and the message); nil for other steps and when nothing is added.
    public var edits: MessageEdits?
    /// The transaction's score when the decision was made, for rules files with `score`
    /// rules (nil otherwise).
    public var score: ScoreSheet?

    /// Creates a decision.
    public init(
        verdict: Verdict, reply: Reply? = nil, rule: Rule? = nil, reason: String? = nil,
        matchedInput: MatchedInput? = nil, marks: [RuleMark] = [], withheld: WithheldRefusal? = nil
    ) {
        self.verdict = verdict
        self.reply = reply
        self.rule = rule
        self.reason = reason
        self.matchedInput = matchedInput
        self.marks = marks
        self.withheld = withheld
    }

    /// Whether the step passes and a junk rule matched in it: on OpenSMTPD 6.6+ an envelope
    /// step is then answered with the protocol's `junk` result.
    public var isJunk: Bool { verdict == .accept && marks.contains { $0.kind == .junk } }

    /// What the step's expectations are checked against: the withheld refusal in
    /// report-only mode, else the decision itself.
    public var wouldHaveBeen: Decision { withheld?.decision ?? self }

    /// Accept, with no rule involved.
    public static let accept = Decision(verdict: .accept)

    /// Whether the step passes.
    public var isAccept: Bool { verdict == .accept }

    /// The reply a daemon adapter sends for a refusal: the decision's own, or the bare code
    /// of its verdict (550, 451, 421) when it has none.
    public var replyToSend: Reply {
        if let reply { return reply }
        switch verdict {
        case .accept, .reject: return Reply(code: 550, text: "")
        case .tempfail: return Reply(code: 451, text: "")
        case .disconnect: return Reply(code: 421, text: "")
        }
    }

    /// `reject 550 5.7.1 ... (rules.conf:12)`-style summary.
    public var description: String {
        var parts = [verdict.rawValue]
        if let reply { parts.append(reply.description) }
        if let rule { parts.append("(\(rule.location.fileAndLine))") }
        if let reason { parts.append("(\(reason))") }
        for mark in marks { parts.append("[\(mark) (\(mark.rule.location.fileAndLine))]") }
        if let withheld { parts.append("[\(withheld)\(withheld.rule.map { " (\($0.location.fileAndLine))" } ?? "")]") }
        return parts.joined(separator: " ")
    }
}
