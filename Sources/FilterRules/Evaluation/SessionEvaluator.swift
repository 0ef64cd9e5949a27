/// Applies a rule set to one SMTP session, step by step: the same code for `serve` (both
/// protocols) and the dry-run. Not thread-safe; one evaluator per session.
public final class SessionEvaluator {
    /// The rule set the session started with (kept across reloads).
    public let ruleSet: CompiledRuleSet
    /// Called when a regex hits a PCRE2 limit: the rule and PCRE2's reason.
    public var onLimitExceeded: ((Rule, String) -> Void)?
    /// Called when part of a message could not be MIME-decoded as declared (and was scanned
    /// as it is): what, and the message line.
    public var onDecodeProblem: ((String, Int) -> Void)?

    private let scratch: MatchScratch
    /// Whether the rule set has `dataline` rules, and rules that read decoded content
    /// (`header`, `body`, `attachment`, `mimetype`), looked up once, not per line.
    private let hasDatalineRules: Bool, readsContent: Bool
    private var sessionAccepted: Rule?
    private var transactionAccepted: Rule?
    private var closed: Decision?
    var message: MessageScan
    /// What the session's stages (connect, HELO, and junk at MAIL, as smtpd scopes it) add
    /// to every message of the session.
    private var sessionEdits = MessageEdits()
    /// What the transaction's stages add to its message.
    private var transactionEdits = MessageEdits()
    /// One evaluation per stage that has rules.
    let stages: [Stage: StageEvaluation]

    /// Starts evaluating a session with `ruleSet`.
    public init(ruleSet: CompiledRuleSet) {
        self.ruleSet = ruleSet
        self.scratch = MatchScratch(limits: ruleSet.options.limits)
        self.hasDatalineRules = ruleSet.matcher(for: .dataline) != nil
        self.readsContent = Self.contentStages.contains { ruleSet.matcher(for: $0) != nil }
        self.message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        var stages: [Stage: StageEvaluation] = [:]
        for stage in Stage.allCases {
            if let matcher = ruleSet.matcher(for: stage) {
                stages[stage] = StageEvaluation(stage: stage, matcher: matcher, options: ruleSet.options, hits: ruleSet.hits)
            }
        }
        self.stages = stages
    }

    // MARK: Envelope stages

    /// The connect query: `addr` rules on the address, then `connect` rules on the hostname.
    public func connect(address: String?, hostname: String) -> Decision {
        if let early = preempted() { return early }
        var addr: Decision?
        if let address {
            let decision = evaluateEnvelope(.addr, MatchSubject(address: address))
            let onlyThisStage = decision.rule.map { $0.action == .accept(.stage) || $0.action == .accept(.input) } ?? true
            if !decision.isAccept || !onlyThisStage { return decision }
            addr = decision
        }
        var decision = evaluateEnvelope(.connect, MatchSubject(text: hostname))
        if let addr {
            // The address's marks came first; so did a refusal it held back.
            decision.marks = addr.marks + decision.marks
            decision.withheld = addr.withheld ?? decision.withheld
        }
        return decision
    }

    /// HELO/EHLO.
    public func helo(_ name: String) -> Decision {
        preempted() ?? evaluateEnvelope(.helo, MatchSubject(text: name))
    }

    /// MAIL FROM: starts a transaction; `address` is `user@domain`, or `<>` for the null sender.
    public func mail(_ address: String) -> Decision {
        transactionEnded()
        return preempted() ?? evaluateEnvelope(.mail, MatchSubject(text: address))
    }

    /// RCPT TO.
    public func rcpt(_ address: String) -> Decision {
        preempted() ?? evaluateEnvelope(.rcpt, MatchSubject(text: address))
    }

    /// What the envelope so far adds to the transaction's message (the session's and the
    /// transaction's junk and add-header matches): known before its first line, so a
    /// message that is not held can get its headers as it streams through.
    public var envelopeEdits: MessageEdits { sessionEdits.merged(with: transactionEdits) }

    /// Whether a message must be held back until its verdict is known: the rules have
    /// junk or add-header rules at message stages (only their matches can add to a message
    /// after its first line), and `set hold-limit` is not 0.
    public var holdsMessages: Bool { ruleSet.holdsMessages }

    /// The DATA command (no rules of its own); readies the message scan.
    public func data() -> Decision {
        message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        return preempted() ?? .accept
    }

    // MARK: Message data

    /// Whether message lines matter to the rules at all (rules at message stages):
    /// without, a caller may leave ``dataLine(_:)`` out.
    public var readsMessageLines: Bool { readsContent || hasDatalineRules }

    /// One line of the message as it streams through, without its line ending.
    public func dataLine(_ line: [UInt8]) {
        message.lineCount += 1
        guard scansMessage else { return }
        var text = line
        if text.last == 0x0d { text.removeLast() }
        let before = message.scannedBytes
        message.scannedBytes += line.count + 1
        // The scan limit counts raw bytes for dataline, decoded bytes for the decoded stages.
        let scansDataline = hasDatalineRules && !message.done.contains(.dataline)
            && (message.scanLimit == 0 || before < message.scanLimit)
        if readsContent {
            scanContent(text, datalineFirst: scansDataline)
        } else if scansDataline {
            scanDataline(text)
        }
    }

    /// The dataline rules on one raw line (without its line ending).
    func scanDataline(_ text: [UInt8]) {
        guard scansMessage else { return }
        withinTimeLimits(message: true) {
            scanMessage(.dataline, MatchSubject(bytes: text), line: message.lineCount)
        }
    }

    /// Whether the message is still being scanned: no verdict yet, time left, no scope accepted.
    var scansMessage: Bool {
        message.verdict == nil && !message.outOfTime && closed == nil && sessionAccepted == nil && transactionAccepted == nil
    }

    /// The end of the message (the final dot): the verdict of the data stages.
    public func endOfMessage() -> Decision {
        finishContent()
        let scan = message
        message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        var decision = preempted() ?? scan.verdict ?? Decision(verdict: .accept, withheld: scan.withheld)
        decision.marks = scan.marks
        let edits = envelopeEdits.merged(with: scan.edits)
        if decision.isAccept, !edits.isEmpty { decision.edits = edits }
        if decision.verdict == .disconnect { closed = decision }
        transactionEnded()
        return decision
    }

    // MARK: Session events

    /// The transaction ended (RSET, commit, rollback): `accept transaction` no longer applies.
    public func transactionEnded() {
        transactionAccepted = nil
        transactionEdits = MessageEdits()
    }

    /// RSET.
    public func reset() {
        transactionEnded()
        message = MessageScan(scanLimit: ruleSet.options.scanLimit)
    }

    // MARK: Internals

    /// The answer when an earlier decision covers this step.
    private func preempted() -> Decision? {
        if let closed { return closed }
        if let rule = sessionAccepted { return Decision(verdict: .accept, rule: rule, reason: "accept session") }
        if let rule = transactionAccepted { return Decision(verdict: .accept, rule: rule, reason: "accept transaction") }
        return nil
    }

    /// Evaluates a data stage on one input starting at message line `line`; a refusal
    /// becomes the message's verdict.
    func scanMessage(_ stage: Stage, _ subject: MatchSubject, line: Int) {
        guard let evaluation = stages[stage] else { return }
        let outcome = evaluation.run(subject, scratch: scratch, skipping: message.markedRules, onLimit: limitHit)
        var decision = outcome.decision
        decision.matchedInput?.messageLine = line
        for (index, var mark) in zip(outcome.markedIndexes, decision.marks) {
            mark.matchedInput.messageLine = line
            message.marks.append(mark)
            message.markedRules.insert(index)
            message.edits.add(mark, origin: .content)
        }
        if var withheld = decision.withheld, message.withheld == nil {
            withheld.matchedInput?.messageLine = line
            message.withheld = withheld
        }
        guard let rule = decision.rule else {
            if !decision.isAccept { message.verdict = decision }
            return
        }
        switch rule.action {
        case .accept(.input): break
        case .accept(.stage): message.done.insert(stage)
        case .accept(let scope):
            if scope == .session { sessionAccepted = rule }
            if scope == .transaction { transactionAccepted = rule }
        default: message.verdict = decision
        }
    }

    /// Evaluates an envelope stage on one input, under the line time limit; an accepted
    /// step's marks go to the session's or the transaction's edits, scopes and a
    /// disconnect are recorded.
    private func evaluateEnvelope(_ stage: Stage, _ subject: MatchSubject) -> Decision {
        guard let evaluation = stages[stage] else { return .accept }
        let decision = withinTimeLimits(message: false) {
            evaluation.run(subject, scratch: scratch, onLimit: limitHit).decision
        }
        if decision.isAccept {
            for mark in decision.marks {
                // smtpd keeps a junk result given before MAIL's transaction exists for the
                // whole session; filter-rules scopes junk the same way on both protocols.
                let junkForSession = mark.kind == .junk && stage != .rcpt
                if stage == .connect || stage == .addr || stage == .helo || junkForSession {
                    sessionEdits.add(mark, origin: .envelope)
                } else {
                    transactionEdits.add(mark, origin: .envelope)
                }
            }
        }
        if case .accept(let scope)? = decision.rule?.action {
            if scope == .session { sessionAccepted = decision.rule }
            if scope == .transaction { transactionAccepted = decision.rule }
        }
        if decision.verdict == .disconnect { closed = decision }
        return decision
    }

    private func limitHit(_ rule: Rule, _ reason: String) {
        onLimitExceeded?(rule, reason)
    }

    /// Runs `body`, the matching of one input, under the line time limit and, for an input
    /// of the message, what is left of the message time limit; the time taken counts
    /// against the message, which is scanned no further once its time is used up.
    func withinTimeLimits<T>(message isMessageInput: Bool, _ body: () -> T) -> T {
        let line = ruleSet.options.limits.lineTimeLimit
        let whole = isMessageInput ? ruleSet.options.messageTimeLimit : .unlimited
        guard !line.isUnlimited || !whole.isUnlimited else { return body() }
        let start = MonotonicClock.now()
        scratch.deadline = MatchDeadline.forInput(startingAt: start, lineTimeLimit: line, messageTimeLimit: whole,
                                                  messageTimeSpent: message.matchNanoseconds)
        defer {
            scratch.deadline = nil
            if isMessageInput {
                message.matchNanoseconds += MonotonicClock.now() - start
                if !whole.isUnlimited, message.matchNanoseconds >= whole.nanoseconds { message.outOfTime = true }
            }
        }
        return body()
    }
}
