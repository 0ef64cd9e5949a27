/// One step of a replayed transcript.
public struct StepReport: Sendable, Encodable {
    /// The step: connect, helo, mail, rcpt, data, message.
    public var step: String
    /// The transcript line of the step (0 for the connection).
    public var line: Int
    /// What the client sent (command argument, or a summary of the message).
    public var input: String
    /// The answer: accept, reject, tempfail, disconnect, or `not-reached`.
    public var answer: String
    /// The reply code, for refusals.
    public var code: Int?
    /// The reply text, for refusals.
    public var text: String?
    /// The deciding rule as `file:line`, when a rule decided.
    public var rule: String?
    /// The deciding rule's text.
    public var ruleSource: String?
    /// The input the answer was decided on (which recipient, header or body line), when a
    /// rule or a regex limit decided.
    public var matched: MatchedInputReport?
    /// Why the step has this answer without a rule of its own (scope, limit, not reached).
    public var note: String?
    /// In report-only mode: the refusal that was held back, e.g. `reject 550 5.7.1 ...`,
    /// with its rule; the expectation is checked against it.
    public var wouldAnswer: WithheldReport?
    /// The junk, add-header and warn rules that matched during the step, e.g.
    /// `add-header "X-Offer: bit.ly" (rules:7)`.
    public var marks: [String] = []
    /// For the message: the header lines the filter adds at its top (`X-Spam: Yes` first
    /// when it is junk).
    public var addedHeaders: [String] = []
    /// The transaction's score at the step and the rules it came from, e.g.
    /// `11.5 (rules:5(6), rules:6(3), rules:7(2.5))`, for rules files that score.
    public var score: String?
    /// The DNS list lookups of the step and their results, e.g.
    /// `addr listed zen: listed (127.0.0.2)`.
    public var dnsLookups: [String] = []
    /// The regexes that hit a PCRE2 limit during the step, as they are logged.
    public var regexLimits: [RegexLimitReport] = []
    /// The server's reply recorded in the transcript (swaks output), `CODE TEXT`.
    public var recordedReply: String?
    /// The expectation for this step, e.g. `reject 550`.
    public var expected: String?
    /// Where the expectation comes from: `directive` or `recorded reply`.
    public var expectationSource: String?
    /// Whether the expectation held; nil when there was none.
    public var expectationHeld: Bool?
}

/// A refusal report-only mode held back.
public struct WithheldReport: Sendable, Encodable, Equatable {
    /// The verdict it would have been: reject, tempfail, disconnect.
    public var answer: String
    /// Its reply code.
    public var code: Int?
    /// Its reply text.
    public var text: String?
    /// The rule as `file:line`, when a rule would have decided.
    public var rule: String?
}

/// The input a step's answer was decided on.
public struct MatchedInputReport: Sendable, Encodable, Equatable {
    /// The stage of the rules that looked at it, as written in rules: addr, connect, helo,
    /// mail, rcpt, header, body, dataline, attachment, mimetype.
    public var stage: String
    /// For message stages: the input's line in the message as the client sent it (1 = the
    /// first header line); nil for other stages and for smtpd's `Received:` header.
    public var messageLine: Int?
    /// The input, escaped and cut as in logs (see ``InputExcerpt``), without quotes.
    public var text: String
    /// The whole input's length in bytes.
    public var length: Int
    /// Whether ``text`` shows only the input's beginning.
    public var truncated: Bool
}

/// A regex that hit a PCRE2 limit during a step.
public struct RegexLimitReport: Sendable, Encodable, Equatable, CustomStringConvertible {
    /// The rule as `file:line`.
    public var rule: String
    /// The rule's stage.
    public var stage: String
    /// Which limit, in PCRE2's words (`match limit exceeded`, `depth limit exceeded`, ...).
    public var limit: String
    /// What was done: `treated as no match` or `fail-closed: answered tempfail`.
    public var outcome: String

    /// Creates a report.
    public init(rule: String, stage: String, limit: String, outcome: String) {
        self.rule = rule
        self.stage = stage
        self.limit = limit
        self.outcome = outcome
    }

    /// The report of `hit`.
    init(_ hit: RegexLimitHit) {
        self.init(
            rule: hit.rule.location.fileAndLine, stage: hit.rule.stage.rawValue,
            limit: hit.limit, outcome: hit.outcome.rawValue)
    }

    /// `body rules.conf:3: match limit exceeded, treated as no match`, as logged.
    public var description: String { "\(stage) \(rule): \(limit), \(outcome)" }
}
