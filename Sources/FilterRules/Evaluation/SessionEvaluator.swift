/// Applies a rule set to one SMTP session, step by step: the same code for `serve` (both
/// protocols) and the dry-run. Not thread-safe; one evaluator per session.
public final class SessionEvaluator {
    /// The rule set the session started with (kept across reloads).
    public let ruleSet: CompiledRuleSet
    /// Called when a regex hits a PCRE2 limit: the rule and PCRE2's reason.
    public var onLimitExceeded: ((Rule, String) -> Void)?

    private let scratch: MatchScratch
    /// Whether the rule set has `header`, `dataline` and `body` rules (looked up once, not per line).
    private let hasHeaderRules: Bool, hasDatalineRules: Bool, hasBodyRules: Bool
    private var sessionAccepted: Rule?
    private var transactionAccepted: Rule?
    private var closed: Decision?
    private var message: MessageScan

    /// Starts evaluating a session with `ruleSet`.
    public init(ruleSet: CompiledRuleSet) {
        self.ruleSet = ruleSet
        self.scratch = MatchScratch(limits: ruleSet.options.limits)
        self.hasHeaderRules = ruleSet.matcher(for: .header) != nil
        self.hasDatalineRules = ruleSet.matcher(for: .dataline) != nil
        self.hasBodyRules = ruleSet.matcher(for: .body) != nil
        self.message = MessageScan(scanLimit: ruleSet.options.scanLimit)
    }

    // MARK: Envelope stages

    /// The connect query: `addr` rules on the address, then `connect` rules on the hostname.
    public func connect(address: String?, hostname: String) -> Decision {
        if let early = preempted() { return early }
        if let address {
            let decision = evaluateEnvelope(.addr, MatchSubject(address: address))
            let onlyThisStage = decision.rule.map { $0.action == .accept(.stage) || $0.action == .accept(.input) } ?? true
            if !decision.isAccept || !onlyThisStage { return decision }
        }
        return evaluateEnvelope(.connect, MatchSubject(text: hostname))
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

    /// The DATA command (no rules of its own); readies the message scan.
    public func data() -> Decision {
        message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        return preempted() ?? .accept
    }

    // MARK: Message data

    /// Whether message lines matter to the rules at all (header, body or dataline rules):
    /// without, a caller may leave ``dataLine(_:)`` out.
    public var readsMessageLines: Bool { hasHeaderRules || hasDatalineRules || hasBodyRules }

    /// One line of the message as it streams through, without its line ending.
    public func dataLine(_ line: [UInt8]) {
        message.lineCount += 1
        guard message.verdict == nil, !message.outOfTime, closed == nil, sessionAccepted == nil,
              transactionAccepted == nil else {
            return
        }
        var text = line
        if text.last == 0x0d { text.removeLast() }
        let before = message.scannedBytes
        message.scannedBytes += line.count + 1
        let withinLimit = message.scanLimit == 0 || before < message.scanLimit
        if message.inHeaders {
            let isContinuation = !text.isEmpty && (text[0] == 0x20 || text[0] == 0x09) && message.pendingHeader != nil
            if isContinuation {
                if withinLimit { appendToHeader(text) }
            } else {
                flushHeader()
                if text.isEmpty {
                    message.inHeaders = false
                } else if withinLimit, hasHeaderRules {
                    let limit = ruleSet.options.headerLimit
                    message.pendingHeader = limit == 0 || text.count <= limit ? text : Array(text[..<limit])
                    message.pendingHeaderLine = message.lineCount
                }
            }
        }
        guard withinLimit, message.verdict == nil, !message.outOfTime, transactionAccepted == nil,
              sessionAccepted == nil else { return }
        let scansDataline = hasDatalineRules && !message.done.contains(.dataline)
        let scansBody = hasBodyRules && !message.inHeaders && message.sawBodyStart && !message.done.contains(.body)
        if !message.inHeaders { message.sawBodyStart = true }
        guard scansDataline || scansBody else { return }
        withinTimeLimits(message: true) {
            if scansDataline {
                scanMessage(.dataline, MatchSubject(bytes: text), line: message.lineCount)
            }
            // The line's time is shared by both stages: past it, the body rules are not tried.
            if scansBody, message.verdict == nil, scratch.deadline?.hasPassed != true {
                scanMessage(.body, MatchSubject(bytes: text), line: message.lineCount)
            }
        }
    }

    /// The end of the message (the final dot): the verdict of the data stages.
    public func endOfMessage() -> Decision {
        if message.inHeaders { flushHeader() }
        let verdict = message.verdict
        message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        let decision = preempted() ?? verdict ?? .accept
        if decision.verdict == .disconnect { closed = decision }
        transactionEnded()
        return decision
    }

    // MARK: Session events

    /// The transaction ended (RSET, commit, rollback): `accept transaction` no longer applies.
    public func transactionEnded() {
        transactionAccepted = nil
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

    /// Appends a continuation line to the header being unfolded, as far as the header
    /// limit lets it.
    private func appendToHeader(_ text: [UInt8]) {
        let limit = ruleSet.options.headerLimit
        let room = limit == 0 ? text.count : min(text.count, limit - message.pendingHeader!.count)
        if room > 0 { message.pendingHeader!.append(contentsOf: text[..<room]) }
    }

    /// How many bytes the header being unfolded holds, and has room for (for tests of
    /// the header limit).
    var pendingHeaderStorage: (count: Int, capacity: Int)? {
        message.pendingHeader.map { ($0.count, $0.capacity) }
    }

    private func flushHeader() {
        guard let header = message.pendingHeader else { return }
        message.pendingHeader = nil
        guard message.verdict == nil, !message.outOfTime, !message.done.contains(.header),
              transactionAccepted == nil, sessionAccepted == nil else { return }
        withinTimeLimits(message: true) {
            scanMessage(.header, MatchSubject(headerLine: header), line: message.pendingHeaderLine)
        }
    }

    /// Evaluates a data stage on one input starting at message line `line`; a refusal
    /// becomes the message's verdict.
    private func scanMessage(_ stage: Stage, _ subject: MatchSubject, line: Int) {
        var decision = evaluate(stage, subject)
        decision.matchedInput?.messageLine = line
        guard let rule = decision.rule else {
            if !decision.isAccept { message.verdict = decision }
            return
        }
        switch rule.action {
        case .accept(.input): break
        case .accept(.stage): message.done.insert(stage)
        case .accept: break // recorded as a session or transaction scope by evaluate
        default: message.verdict = decision
        }
    }

    /// Evaluates an envelope stage on one input, under the line time limit.
    private func evaluateEnvelope(_ stage: Stage, _ subject: MatchSubject) -> Decision {
        withinTimeLimits(message: false) { evaluate(stage, subject) }
    }

    /// Runs `body`, the matching of one input, under the line time limit and, for an input
    /// of the message, what is left of the message time limit; the time taken counts
    /// against the message, which is scanned no further once its time is used up.
    private func withinTimeLimits<T>(message isMessageInput: Bool, _ body: () -> T) -> T {
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

    /// First-match evaluation of one stage, with hit counting, scopes and limit handling.
    private func evaluate(_ stage: Stage, _ subject: MatchSubject) -> Decision {
        guard let matcher = ruleSet.matcher(for: stage) else { return .accept }
        let match = matcher.firstMatch(subject, scratch: scratch)
        for failure in match.limitFailures {
            onLimitExceeded?(failure.rule.rule, failure.reason)
        }
        if ruleSet.options.failClosed, let failure = match.limitFailures.first {
            return Decision(verdict: .tempfail, reply: DefaultReplies.evaluationFailure, rule: nil,
                            reason: "\(failure.rule.rule.location.fileAndLine): \(failure.reason), fail-closed",
                            matchedInput: MatchedInput(stage: stage, bytes: subject.bytes))
        }
        guard let compiled = match.rule else { return .accept }
        let input = MatchedInput(stage: stage, bytes: subject.bytes)
        ruleSet.hits.record(compiled.index)
        let rule = compiled.rule
        switch rule.action {
        case .accept(let scope):
            if scope == .session { sessionAccepted = rule }
            if scope == .transaction { transactionAccepted = rule }
            return Decision(verdict: .accept, rule: rule, matchedInput: input)
        case .reject:
            return Decision(verdict: .reject, reply: rule.reply, rule: rule, matchedInput: input)
        case .tempfail:
            return Decision(verdict: .tempfail, reply: rule.reply, rule: rule, matchedInput: input)
        case .disconnect:
            let decision = Decision(verdict: .disconnect, reply: rule.reply, rule: rule, matchedInput: input)
            if !stage.isMessageStage { closed = decision }
            return decision
        }
    }
}
