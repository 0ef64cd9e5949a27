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

    /// Creates a decision.
    public init(verdict: Verdict, reply: Reply? = nil, rule: Rule? = nil, reason: String? = nil,
                matchedInput: MatchedInput? = nil) {
        self.verdict = verdict
        self.reply = reply
        self.rule = rule
        self.reason = reason
        self.matchedInput = matchedInput
    }

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
        return parts.joined(separator: " ")
    }
}
