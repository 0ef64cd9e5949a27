import DNSLists
import MIMEStream
import PCRE2Matching

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
    /// Called when part of a message went past a bound of the decoder that rules look
    /// behind: what, the message line, and the setting that decides (`oversized-header
    /// reject`, ...).
    public var onContentLimit: ((MIMELimitExceeded, Int, String) -> Void)?

    /// Called when the message names a domain that a `listed` term of the message looks
    /// up in a list, once per domain and list (see SessionEvaluator+MessageListings): the
    /// engine starts the lookup then and gives the results before ``endOfMessage()``.
    public var onMessageLookup: ((MessageLookup) -> Void)?

    private let scratch: MatchScratch
    /// Whether the rule set has `dataline` rules, and rules that read decoded content
    /// (`header`, `body`, `attachment`, `mimetype`), looked up once, not per line.
    private let hasDatalineRules: Bool, readsContent: Bool
    /// Whether `listed` terms look up domains the message names, looked up once.
    let looksUpMessageDomains: Bool
    // The variables below are read for every message line. They are
    // @exclusivity(unchecked): an evaluator is used by one thread at a time (its session's
    // content queue or the protocol loop, never both), so no two accesses can overlap, and
    // the runtime's checks were a measurable share of the time per line (see MatchScratch,
    // which does the same).
    @exclusivity(unchecked) var sessionAccepted: Rule? {
        didSet { noteStopped() }
    }
    @exclusivity(unchecked) var transactionAccepted: Rule? {
        didSet { noteStopped() }
    }
    @exclusivity(unchecked) var closed: Decision? {
        didSet { noteStopped() }
    }
    /// Whether the session is closed or an accept covers it or its transaction (read for
    /// every message line, without copying those values).
    @exclusivity(unchecked) private var scanningStopped = false

    private func noteStopped() {
        scanningStopped = closed != nil || sessionAccepted != nil || transactionAccepted != nil
    }
    @exclusivity(unchecked) var message: MessageScan
    /// The bytes of the message line being scanned, refilled for every line: one array
    /// kept with its capacity for the lines of a message, rather than one made per line.
    /// Let go at the end of each message (an idle session holds no buffer), and not used
    /// for a line longer than ``keptLineBytes`` (a session would hold that much until then).
    @exclusivity(unchecked) var lineBytes: [UInt8] = []
    /// The longest line ``lineBytes`` takes.
    static let keptLineBytes = 16 << 10
    /// What the session's stages (connect, HELO, and junk at MAIL, as smtpd scopes it) add
    /// to every message of the session.
    @exclusivity(unchecked) var sessionEdits = MessageEdits()
    /// What the transaction's stages add to its message.
    @exclusivity(unchecked) var transactionEdits = MessageEdits()
    /// Whether a transaction is under way (from MAIL FROM to its end): its session facts are final.
    var inTransaction = false
    /// Session facts reported during a transaction, for the next one.
    var factsForNextTransaction: [(Stage, String)] = []
    /// The rule set's evaluation of each stage.
    let stages: StageEvaluations
    /// The terms of the combined rules.
    let combined: CombinedRuleState
    /// The DNS list results for the next input of each stage (see ``setListings(_:for:)``).
    var listings: [Stage: [String: DNSListResult]] = [:]
    /// Points of `score` rules at session stages (connect, addr, helo, auth, tls, fcrdns):
    /// they count for every transaction of the session.
    var sessionScore = ScoreSheet()
    /// Points of `score` rules of the current transaction (mail, rcpt, the message).
    var transactionScore = ScoreSheet()
    /// Whether the rules score at all (decisions carry the score then).
    private let usesScores: Bool

    /// The transaction's score so far: the session's points, then the transaction's.
    public var score: ScoreSheet { sessionScore.merged(with: transactionScore) }

    /// Where the rules' limits and dynamic lists are kept, and the clock they count by.
    public let stores: RuleStoreAccess
    /// What the session said that limits and lists key on.
    var keys = SessionKeys()
    /// A step that waits for a remote store (see SessionEvaluator+Stores).
    var steps = StoreStepState()

    /// Starts evaluating a session with `ruleSet`, its limits and dynamic lists kept in
    /// `stores` (the process's; without, a store of the session's own).
    public init(ruleSet: CompiledRuleSet, stores: RuleStoreAccess? = nil) {
        self.ruleSet = ruleSet
        self.stores = stores ?? RuleStoreAccess.private()
        self.scratch = MatchScratch(limits: ruleSet.options.limits)
        self.hasDatalineRules = ruleSet.readsInputs(of: .dataline)
        self.readsContent = Self.contentStages.contains { ruleSet.readsInputs(of: $0) }
        self.looksUpMessageDomains = ruleSet.looksUpMessageDomains
        self.combined = CombinedRuleState(rules: ruleSet.combinedRules)
        self.message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        self.stages = ruleSet.stageEvaluations
        // Known once per rule set: finding it out here cost a pass over every rule per session.
        self.usesScores = ruleSet.usesScores
        combined.storeOracle = self
    }

    /// The score as the input of score terms, when there are any.
    private var scoreInputs: [(stage: Stage, subject: MatchSubject)] {
        guard combined.hasTerms(of: .score) else { return [] }
        var subject = MatchSubject(bytes: [])
        subject.score = score.total
        return [(.score, subject)]
    }

    // MARK: DNS lists

    /// Whether every later step of the session is answered without rules (an `accept
    /// session`, or the session was disconnected): nothing needs looking up any more.
    public var isSettled: Bool { closed != nil || sessionAccepted != nil }

    /// The results of looking `stage`'s next input up in the lists of
    /// ``CompiledRuleSet/dnsLists(at:)``, by list name: what its `listed` terms see. Set by the engine
    /// before the step, used by it; a list without a result is not a listing.
    public func setListings(_ results: [String: DNSListResult], for stage: Stage) {
        listings[stage] = results
    }

    /// `subject` with the results for `stage` attached, which are used up.
    private func listed(_ subject: MatchSubject, _ stage: Stage) -> MatchSubject {
        guard let results = listings.removeValue(forKey: stage) else { return subject }
        var subject = subject
        subject.listings = results
        return subject
    }

    // MARK: Envelope stages

    /// The connect query: `addr` rules on the address, then `connect` rules on the hostname
    /// (combined rules that become true at connect with the latter); `fcrdns` is smtpd
    /// 6.6+'s forward-confirmed reverse DNS result (`pass`, `fail`, `error`), empty on API 52.
    public func connect(address: String?, hostname: String, fcrdns: String = "") -> Decision {
        keys.address = address.flatMap(IPAddress.init)
        if let early = preempted() { return early }
        let host = listed(MatchSubject(text: hostname), .connect)
        let client = address.map { listed(MatchSubject(address: $0), .addr) }
        let firings = combinedPoint(
            [(.connect, host), (.fcrdns, MatchSubject(text: fcrdns))] + (client.map { [(.addr, $0)] } ?? []) + scoreInputs,
            shown: MatchedInput(stage: .connect, bytes: host.bytes), transactional: false)
        var addr: Decision?
        if let client {
            let decision = evaluateEnvelope(.addr, client)
            let onlyThisStage = decision.rule.map { $0.action == .accept(.stage) || $0.action == .accept(.input) } ?? true
            if !decision.isAccept || !onlyThisStage { return decision }
            addr = decision
        }
        var decision = evaluateEnvelope(.connect, host, firings: firings)
        if let addr {
            // The address's marks came first; so did a refusal it held back.
            decision.marks = addr.marks + decision.marks
            decision.withheld = addr.withheld ?? decision.withheld
        }
        return decision
    }

    /// HELO/EHLO.
    public func helo(_ name: String) -> Decision {
        keys.helo = name
        if let early = preempted() { return early }
        let subject = listed(MatchSubject(text: name), .helo)
        let firings = combinedPoint(
            [(.helo, subject)] + scoreInputs, shown: MatchedInput(stage: .helo, bytes: subject.bytes), transactional: false)
        return evaluateEnvelope(.helo, subject, firings: firings)
    }

    /// MAIL FROM: starts a transaction; `address` is `user@domain`, or `<>` for the null
    /// sender. Session facts not reported by now (no AUTH, no STARTTLS) are empty from here on.
    public func mail(_ address: String) -> Decision {
        transactionEnded()
        inTransaction = true
        keys.mail = address
        if let early = preempted() { return early }
        combined.finalizeFacts()
        let subject = listed(MatchSubject(text: address), .mail)
        let firings = combinedPoint(
            [(.mail, subject)] + scoreInputs, shown: MatchedInput(stage: .mail, bytes: subject.bytes), transactional: true)
        return evaluateEnvelope(.mail, subject, firings: firings)
    }

    /// RCPT TO.
    public func rcpt(_ address: String) -> Decision {
        keys.rcpt = address
        if let early = preempted() { return early }
        let subject = MatchSubject(text: address)
        let firings = combinedPoint(
            [(.rcpt, subject)] + scoreInputs, shown: MatchedInput(stage: .rcpt, bytes: subject.bytes), transactional: false)
        let decision = evaluateEnvelope(.rcpt, subject, firings: firings)
        if decision.isAccept { combined.recipientAccepted() }
        return decision
    }

    /// The session authenticated (OpenSMTPD 6.6+ `link-auth`): only a `pass` result
    /// authenticates; `auth` terms see `user` then, else the empty string. Like every
    /// session fact it is final for a transaction at its MAIL FROM: a report during a
    /// transaction counts from the next MAIL FROM.
    ///
    /// A `fail` result is a failed attempt: the `authfail` rules see the user name tried
    /// (and an `auth` key is that name for them); their decision, returned for the log,
    /// answers nothing (smtpd asks nothing there), but their `add-to`, `score` and other
    /// tags count.
    @discardableResult
    public func authenticated(user: String, result: String) -> Decision? {
        if result == "pass" { keys.auth = user }
        sessionFact(.auth, result == "pass" ? user : "")
        guard result == "fail", preempted() == nil else { return nil }
        let saved = keys.auth
        keys.auth = user
        defer { keys.auth = saved }
        let subject = MatchSubject(text: user)
        let firings = combinedPoint(
            [(.authfail, subject)] + scoreInputs, shown: MatchedInput(stage: .authfail, bytes: subject.bytes), transactional: false)
        return evaluateEnvelope(.authfail, subject, firings: firings)
    }

    /// The session's TLS summary (OpenSMTPD 6.6+ `link-tls`), for `tls` terms; final for a
    /// transaction at its MAIL FROM, as ``authenticated(user:result:)``.
    public func tls(_ summary: String) {
        sessionFact(.tls, summary)
    }

    /// A session fact to the combined rules now, or, during a transaction (whose facts
    /// were made final at its MAIL FROM), at the next MAIL FROM.
    private func sessionFact(_ stage: Stage, _ value: String) {
        if inTransaction {
            factsForNextTransaction.append((stage, value))
        } else {
            combined.fact(stage, value)
        }
    }

    /// What the envelope so far adds to the transaction's message (the session's and the
    /// transaction's junk and add-header matches): known before its first line, so a
    /// message that is not held can get its headers as it streams through.
    public var envelopeEdits: MessageEdits { sessionEdits.merged(with: transactionEdits) }

    /// Whether a message must be held back until its verdict is known: the rules have
    /// junk or add-header rules at message stages (only their matches can add to a message
    /// after its first line), and neither `set hold-limit` nor `set hold-total` is 0.
    public var holdsMessages: Bool { ruleSet.holdsMessages }

    /// The DATA command (no rules of its own); readies the message scan.
    public func data() -> Decision {
        message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        combined.beginMessage()
        return preempted() ?? .accept
    }

    // MARK: Message data

    /// Whether message lines matter to the rules at all (rules at message stages):
    /// without, a caller may leave ``dataLine(_:)`` out.
    public var readsMessageLines: Bool { readsContent || hasDatalineRules }

    /// One line of the message as it streams through, without its line ending.
    public func dataLine(_ line: [UInt8]) {
        line.withUnsafeBufferPointer { dataLine($0) }
    }

    /// The size of a message whose lines were not handed over (no rule reads them, see
    /// ``readsMessageLines``): `bytes`, one per line ending, for the byte limits at its end.
    public func messageSizeUnread(_ bytes: Int) {
        if message.rawBytes == 0 { message.rawBytes = bytes }
    }

    /// One line of the message as it streams through, without its line ending, lent for
    /// the call (the rules see a copy).
    public func dataLine(_ line: UnsafeBufferPointer<UInt8>) {
        message.lineCount += 1
        message.rawBytes += line.count + 1
        guard scansMessage else { return }
        let before = message.scannedBytes
        message.scannedBytes += line.count + 1
        // The scan limit counts raw bytes for dataline, decoded bytes for the decoded stages.
        let scansDataline =
            hasDatalineRules && !message.done.contains(.dataline)
            && (message.scanLimit == 0 || before < message.scanLimit)
        guard readsContent || scansDataline else { return }
        // The line without its CR, into the one array kept for it (refilled in place: the
        // subject made from it below is its only other user, and is gone by the next line).
        let text = line.last == 0x0d ? UnsafeBufferPointer(rebasing: line.dropLast()) : line
        let bytes: [UInt8]
        if text.count <= Self.keptLineBytes {
            lineBytes.replaceSubrange(0..<lineBytes.count, with: text)
            bytes = lineBytes
        } else {
            bytes = Array(text)
        }
        if readsContent {
            scanContent(bytes, datalineFirst: scansDataline)
        } else {
            scanDataline(MatchSubject(bytes: bytes))
        }
    }

    /// The dataline rules on one raw line (without its line ending).
    func scanDataline(_ text: [UInt8]) {
        scanDataline(MatchSubject(bytes: text))
    }

    /// The dataline rules on the subject of one raw line.
    private func scanDataline(_ subject: MatchSubject) {
        guard scansMessage else { return }
        withinTimeLimits(message: true) {
            scanMessage(.dataline, subject, line: message.lineCount)
        }
    }

    /// Whether the message is still being scanned: no verdict yet, time left, no scope accepted.
    var scansMessage: Bool {
        !scanningStopped && !message.isDecided && !message.outOfTime
    }

    /// The end of the message (the final dot): the verdict of the data stages.
    public func endOfMessage() -> Decision {
        finishContent()
        if !combined.isEmpty {
            // Combined rules that become true only now that the message's terms are final
            // (a message term no line made true is false at the end, a `listed` term of the
            // message has its lookups' results), then those on the final score.
            let shown = MatchedInput(stage: .dataline, bytes: [], messageLine: message.lineCount)
            endOfMessagePoint { combined.endOfMessage(shown: shown, scratch: scratch, listing: messageListing(for:)) }
            if usesScores { endOfMessagePoint { combined.finalScore(score.total, shown: shown, scratch: scratch) } }
        }
        let scan = message
        message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        lineBytes = []
        var decision = preempted() ?? scan.verdict ?? Decision(verdict: .accept, withheld: scan.withheld)
        decision.marks = scan.marks
        if usesScores { decision.score = score }
        let edits = envelopeEdits.merged(with: scan.edits)
        if decision.isAccept, !edits.isEmpty { decision.edits = edits }
        if decision.verdict == .disconnect { closed = decision }
        transactionEnded()
        return decision
    }

    /// Whether the end of the message waits for the lookups of ``messageLookups``: there
    /// are some, and no verdict, accept or closed session makes them moot.
    public var awaitsMessageLookups: Bool {
        !message.listings.requested.isEmpty && message.verdict == nil && preempted() == nil
    }

    /// One point of the end of the message: the combined rules `point` finds true, run
    /// and recorded as the message's, unless a verdict or an accept already covers it.
    private func endOfMessagePoint(_ point: () -> [CombinedRuleState.Firing]) {
        guard message.verdict == nil, preempted() == nil else { return }
        let firings = point()
        guard !firings.isEmpty else { return }
        let end = StageEvaluation(stage: .dataline, matcher: nil, options: ruleSet.options, hits: ruleSet.hits)
        if let outcome = end.run(
            MatchSubject(bytes: []), scratch: scratch, skipping: message.markedRules,
            firings: firings, score: score, onLimit: limitHit, hooks: self)
        {
            record(outcome, stage: .dataline, line: nil)
        }
    }

    // MARK: Session events

    /// The transaction ended (RSET, commit, rollback): `accept transaction` no longer applies.
    public func transactionEnded() {
        inTransaction = false
        for (stage, value) in factsForNextTransaction { combined.fact(stage, value) }
        factsForNextTransaction.removeAll()
        transactionAccepted = nil
        transactionEdits = MessageEdits()
        transactionScore = ScoreSheet()
        combined.transactionEnded()
    }

    /// RSET.
    public func reset() {
        transactionEnded()
        message = MessageScan(scanLimit: ruleSet.options.scanLimit)
        lineBytes = []
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
        if combined.isEmpty {
            // The usual case, without combined rules: the stage's plain rules alone.
            // Unmanaged: the rule set holds the evaluation for the whole call, and a
            // reference taken from it the usual way was retained and released for every
            // message line (callgrind).
            guard let evaluation = stages.unmanaged(stage),
                let first = evaluation._withUnsafeGuaranteedRef({ $0.firstPlainMatch(subject, scratch: scratch) })
            else { return }
            let outcome = evaluation.takeUnretainedValue().run(
                subject, first: first, scratch: scratch, skipping: message.markedRules, firings: [], onLimit: limitHit)
            record(outcome, stage: stage, line: line)
            return
        }
        let firings = combinedPoint(
            [(stage, subject)], shown: MatchedInput(stage: stage, bytes: subject.bytes, messageLine: line),
            transactional: true)
        guard stages[stage] != nil || !firings.isEmpty else { return }
        if let outcome = evaluation(for: stage).run(
            subject, scratch: scratch, skipping: message.markedRules, firings: firings,
            onLimit: limitHit)
        {
            record(outcome, stage: stage, line: line)
        }
    }

    /// Records the outcome of a message input (at message line `line`, nil for the end of
    /// the message): marks, a withheld refusal, the verdict or the scope of an accept.
    private func record(_ outcome: StageEvaluation.Outcome, stage: Stage, line: Int?) {
        var decision = outcome.decision
        if let line { decision.matchedInput?.messageLine = line }
        applyStoreMarks(decision.marks)
        for (index, var mark) in zip(outcome.markedIndexes, decision.marks) {
            if let line { mark.matchedInput.messageLine = line }
            if case .score(let points) = mark.kind { transactionScore.add(points, from: mark.rule.location.fileAndLine) }
            message.marks.append(mark)
            message.markedRules.insert(index)
            message.edits.add(mark, origin: .content)
        }
        if var withheld = decision.withheld, message.withheld == nil {
            if let line { withheld.matchedInput?.messageLine = line }
            message.withheld = withheld
        }
        guard let rule = decision.rule else {
            if !decision.isAccept { message.verdict = decision }
            return
        }
        switch rule.action {
        case .accept(.input): break
        case .accept(.stage): message.done.insert(stage)
        case .accept: recordAcceptScope(of: rule)
        default: message.verdict = decision
        }
    }

    /// An `accept session` or `accept transaction` rule covers the steps after it: noted,
    /// so that they are answered without rules (see ``preempted()``).
    private func recordAcceptScope(of rule: Rule) {
        guard case .accept(let scope) = rule.action else { return }
        switch scope {
        case .session: sessionAccepted = rule
        case .transaction: transactionAccepted = rule
        case .input, .stage: break
        }
    }

    /// The evaluation of `stage`: its plain rules', or one without any (combined rules may
    /// still fire there).
    private func evaluation(for stage: Stage) -> StageEvaluation {
        stages.evaluation(for: stage)
    }

    /// The combined rules that become true at this point, under the line time limit. The
    /// inputs are made only when there are combined rules (this runs for every message line).
    private func combinedPoint(
        _ makeInputs: @autoclosure () -> [(stage: Stage, subject: MatchSubject)],
        shown makeShown: @autoclosure () -> MatchedInput,
        transactional: Bool
    ) -> [CombinedRuleState.Firing] {
        guard !combined.isEmpty else { return [] }
        let inputs = makeInputs()
        guard combined.hasPendingFacts || inputs.contains(where: { combined.hasTerms(of: $0.stage) }) else { return [] }
        let shown = makeShown()
        let point = { self.combined.point(inputs, shown: shown, transactional: transactional, scratch: self.scratch, onLimit: self.limitHit) }
        // Message inputs are matched under the time limits already (dataLine, flushHeader).
        return shown.stage.isMessageStage ? point() : withinTimeLimits(message: false, point)
    }

    /// Evaluates an envelope stage on one input, under the line time limit; an accepted
    /// step's marks go to the session's or the transaction's edits, scopes and a
    /// disconnect are recorded.
    private func evaluateEnvelope(
        _ stage: Stage, _ subject: MatchSubject,
        firings: [CombinedRuleState.Firing] = []
    ) -> Decision {
        guard stages[stage] != nil || !firings.isEmpty else {
            var accepted = Decision.accept
            if usesScores { accepted.score = score }
            return accepted
        }
        let evaluation = evaluation(for: stage)
        let current = usesScores ? score : nil
        var decision = withinTimeLimits(message: false) {
            evaluation.run(
                subject, scratch: scratch, firings: firings, score: current, onLimit: limitHit, hooks: self)?
                .decision ?? .accept
        }
        // add-to and remove-from take effect whatever the step's answer (a rule may ban a
        // client whose recipient a later rule refuses).
        applyStoreMarks(decision.marks)
        if decision.isAccept {
            for mark in decision.marks {
                if case .score(let points) = mark.kind {
                    let symbol = mark.rule.location.fileAndLine
                    if stage == .rcpt || stage == .mail {
                        transactionScore.add(points, from: symbol)
                    } else {
                        sessionScore.add(points, from: symbol)
                    }
                    continue
                }
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
        if let rule = decision.rule { recordAcceptScope(of: rule) }
        if decision.verdict == .disconnect { closed = decision }
        if usesScores { decision.score = score }
        return decision
    }

    private func limitHit(_ rule: Rule, _ reason: String) {
        reportLimitHit(rule, reason)
    }

    /// Runs `body`, the matching of one input, under the line time limit and, for an input
    /// of the message, what is left of the message time limit. The time its regex searches
    /// take (from the first to the end of the input; the prefilter's scans, linear in the
    /// input, are not counted) counts against the message, which is scanned no further once
    /// its time is used up.
    func withinTimeLimits<T>(message isMessageInput: Bool, _ body: () -> T) -> T {
        let line = ruleSet.options.limits.lineTimeLimit
        let whole = isMessageInput ? ruleSet.options.messageTimeLimit : .unlimited
        guard !line.isUnlimited || !whole.isUnlimited else { return body() }
        scratch.beginInput(lineTimeLimit: line, messageTimeLimit: whole, messageTimeSpent: message.matchNanoseconds)
        defer {
            let spent = scratch.endInput()
            if isMessageInput, spent > 0 {
                message.matchNanoseconds += spent
                if !whole.isUnlimited, message.matchNanoseconds >= whole.nanoseconds { message.outOfTime = true }
            }
        }
        return body()
    }
}
