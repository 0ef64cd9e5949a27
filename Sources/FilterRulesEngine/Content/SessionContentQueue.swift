import DNSLists
import Dispatch
import FilterRules
import Logging
import OpenSMTPD
import RuleStores
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One session's ``SessionEngine`` with its message content evaluated off the protocol
/// loop, in order.
///
/// Every use of the engine runs on the session's serial queue: envelope queries
/// synchronously (the queue is idle then, since smtpd asks nothing of a session while its
/// message is being decided, so they cost a queue hop, not a wait), message lines and the
/// end of the message asynchronously. Lines are collected on the loop's side and handed
/// over in batches (``batchLines`` lines or ``batchBytes`` bytes, and at every event), so
/// the loop pays one lock per batch and the workers one wake-up per batch. All methods but
/// the completion handlers are called from the one protocol loop thread. The end of the message delivers its decision
/// to a completion handler once every line before it was evaluated: the adapters answer
/// from there (a deferred answer), and smtpd's answers stay in order per session.
///
/// Lines waiting for evaluation are bounded by ``backlogLimit``: a session whose content
/// falls further behind has the rest of its message left unscanned (logged once per
/// message), as if the scan limit had been reached there, and the message passes through
/// unchanged either way.
public final class SessionContentQueue: @unchecked Sendable {
    // @unchecked: `engine`, `messageLookups`, `stepBusy` and `stepBacklog` are only
    // touched on `queue` (a serial queue); `pending` is guarded by its mutex; `batch` is
    // only touched by the loop thread that calls in. The
    // loop thread's variables are @exclusivity(unchecked): they are touched for every
    // message line, never in overlapping accesses, and the runtime's checks showed in profiles.

    /// What waits for the engine.
    enum Work {
        /// Message lines in order, handed over together.
        case lines(LineBatch)
        /// The end of the message, with the bytes of its lines as they passed.
        case endOfMessage(@Sendable (Decision) -> Void, bytes: Int)
        case reset
        case transactionEnded
    }

    /// The lines and events not yet evaluated, and whether a drain is under way.
    struct Pending {
        var work: [Work] = []
        var bytes = 0
        var draining = false
        var overflowed = false
    }

    /// Bytes of message lines that may wait for evaluation, per session.
    public static let backlogLimit = 16 << 20

    /// A batch is handed to the workers once it holds this many lines…
    static let batchLines = 512
    /// …or this many bytes.
    static let batchBytes = 64 << 10

    /// The session's id.
    public let id: UInt64
    let engine: SessionEngine
    let queue: DispatchQueue
    /// Where the rules' DNS lists are looked up; nil when they have none.
    private let dnsLookups: DNSListLookups?
    private let pending = Mutex(Pending())
    /// Lines not yet handed over; nil until the first (an idle session holds no buffer).
    @exclusivity(unchecked) private var batch: LineBatch?
    /// ``batch`` unretained, for appending to it: a reference taken from the property the
    /// usual way was retained and released for every line (``batch`` owns it).
    @exclusivity(unchecked) private var filling: Unmanaged<LineBatch>?
    private let logger: Logger
    /// The remote store (Redis) whose calls steps wait for; nil for the embedded store.
    let remoteStore: (any RemoteStore)?
    /// With a remote store: whether a step is being evaluated (it may be waiting for the
    /// store), and the steps that wait their turn, so that each starts from where the one
    /// before it left the session (see SessionContentQueue+RemoteStore; queue only).
    var stepBusy = false
    var stepBacklog: [@Sendable () -> Void] = []
    /// The DNS list lookups of the message being evaluated (`header NAME listed`, `body
    /// links listed`), started as its domains come; only touched on ``queue``.
    private var messageLookups: MessageLookupTracker?
    /// Whether the session's rules look at message content at all; without, lines are not
    /// even handed over (the evaluator would skip them).
    private let scansContent: Bool
    /// Whether a line of the current message has come (loop thread only).
    @exclusivity(unchecked) private var inMessage = false
    /// Whether the current message's first line ended with CR (a CRLF message; loop thread only).
    public var messageUsesCRLF: Bool { firstLineEndedWithCR }
    /// Behind ``messageUsesCRLF`` (loop thread only; see the type's note on exclusivity).
    @exclusivity(unchecked) private var firstLineEndedWithCR = false
    /// The bytes of the current message's lines so far, one per line ending, for the
    /// metrics (loop thread only; one addition per line, as the exclusivity note says).
    @exclusivity(unchecked) private var messageBytes = 0
    /// Where the session is counted; nil without a metrics endpoint.
    private let metrics: EngineMetrics?

    /// Starts a session with the store's current rules, its content evaluated on `workers`,
    /// its DNS lists looked up through `dns`.
    public init(id: UInt64, store: RuleSetStore, workers: ContentWorkers, dns: DNSListService? = nil, logger: Logger) {
        self.id = id
        self.engine = SessionEngine(id: id, store: store, logger: logger)
        self.dnsLookups = dns?.lookups(for: engine.evaluator.ruleSet)
        self.queue = workers.serialQueue(for: id)
        self.logger = logger
        self.scansContent = engine.evaluator.readsMessageLines
        self.holdsMessages = engine.evaluator.ruleSet.holdsMessages
        self.remoteStore = engine.evaluator.stores.remote
        self.metrics = store.metrics
        if let lookups = dnsLookups, engine.evaluator.ruleSet.looksUpMessageDomains {
            // Called on the queue, while a line is evaluated.
            engine.evaluator.onMessageLookup = { [weak self] lookup in self?.startLookup(lookup, in: lookups) }
        }
    }

    /// Starts a lookup a message named (on the queue): its result goes to the message's
    /// tracker, which the end of the message waits for (a cached result comes at once,
    /// from check()).
    private func startLookup(_ lookup: MessageLookup, in lookups: DNSListLookups) {
        let tracker = messageLookups ?? MessageLookupTracker()
        messageLookups = tracker
        tracker.started()
        lookups.check(lookup.list, lookup.subject, wantsText: lookup.wantsText) { result in tracker.finished(lookup, result) }
    }

    /// The rule set the session started with.
    public var ruleSet: CompiledRuleSet { engine.evaluator.ruleSet }
    /// Whether the session's rules hold messages (``CompiledRuleSet/holdsMessages``), kept
    /// at hand: it is asked for every message line.
    public let holdsMessages: Bool

    /// Runs an envelope step (connect, HELO, MAIL, RCPT, DATA) on the engine and returns
    /// its decision.
    public func envelope(_ step: (SessionEngine) -> Decision) -> Decision {
        queue.sync { step(engine) }
    }

    /// Runs an envelope step once the DNS lists its rules look `inputs` up in (each a stage
    /// and its input: the client address, host name, HELO name or sender) have answered: at
    /// once when every result is known (cached, or nothing to look up), else on the
    /// session's queue when the last lookup is in or timed out. No thread waits meanwhile,
    /// and other sessions go on being answered.
    public func envelope(
        lookingUp inputs: [(stage: Stage, value: String)], _ step: @escaping @Sendable (SessionEngine) -> Decision
    ) -> EnvelopeAnswer {
        let engine = self.engine
        // A session accepted for good (a whitelist) or closed asks no list, not even the
        // cache (which may start a list's every-name check): nothing could change its answers.
        guard let lookups = dnsLookups, !queue.sync(execute: { engine.evaluator.isSettled }) else { return evaluateNow(step) }
        var results: [Stage: [String: DNSListResult]] = [:]
        var needed: [(query: DNSListQuery, subject: DNSListSubject)] = []
        for query in DNSListQuery.needed(by: ruleSet, for: inputs) {
            guard let subject = query.subject else {
                results[query.stage, default: [:]][query.list.name] = .notLookedUp
                continue
            }
            if let known = lookups.knownResult(query.list, subject, wantsText: query.wantsText) {
                results[query.stage, default: [:]][query.list.name] = known
            } else {
                needed.append((query, subject))
            }
        }
        guard !needed.isEmpty else {
            let known = results
            return evaluateNow { engine in
                Self.apply(known, to: engine)
                return step(engine)
            }
        }
        let pending = PendingDecision()
        let gathered = LookupGathering(results: results, remaining: needed.count)
        for need in needed {
            // The engine is only touched on the session's queue (the type's note).
            lookups.check(need.query.list, need.subject, wantsText: need.query.wantsText) { [self] result in
                guard let all = gathered.add(result, stage: need.query.stage, list: need.query.list.name) else { return }
                queue.async { [self] in
                    evaluateOnQueue({ engine in
                        Self.apply(all, to: engine)
                        return step(engine)
                    }) { pending.decided($0) }
                }
            }
        }
        return .later(pending)
    }

    private static func apply(_ results: [Stage: [String: DNSListResult]], to engine: SessionEngine) {
        for (stage, byList) in results { engine.evaluator.setListings(byList, for: stage) }
    }

    /// Tells the engine a session fact (a report such as `link-auth`), in order with the
    /// queries (with a remote store, after the step before it, without waiting for it).
    public func sessionFact(_ fact: @escaping @Sendable (SessionEngine) -> Void) {
        guard remoteStore != nil else { return queue.sync { fact(engine) } }
        queue.async { [self] in
            evaluateOnQueue({ engine in
                fact(engine)
                return .accept
            }) { _ in }
        }
    }

    /// What the envelope adds to the message when it is not held: asked at the message's
    /// first line (the queue is idle then: the previous message was answered once it was
    /// evaluated), nil for every later line of the message, for a held message (it gets
    /// everything at its end) and when it adds nothing.
    public func editsAtFirstLine() -> MessageEdits? {
        guard !inMessage, !holdsMessages else { return nil }
        let edits = queue.sync { engine.envelopeEdits }
        return edits.isEmpty ? nil : edits
    }

    /// Queues one message line (without its line ending) for evaluation.
    public func dataLine(_ line: [UInt8]) {
        line.withUnsafeBufferPointer { dataLine($0) }
    }

    /// Queues one message line (without its line ending) for evaluation, copied from `line`.
    public func dataLine(_ line: UnsafeBufferPointer<UInt8>) {
        if !inMessage {
            firstLineEndedWithCR = line.last == 0x0d
            if holdsMessages { metrics?.messageHeld(true) }
        }
        inMessage = true
        messageBytes &+= line.count &+ 1
        guard scansContent else { return }
        if filling == nil {
            let made = LineBatch()
            batch = made
            filling = Unmanaged.passUnretained(made)
        }
        let full = filling!._withUnsafeGuaranteedRef { batch in
            batch.append(line)
            return batch.count >= Self.batchLines || batch.byteCount >= Self.batchBytes
        }
        if full { handOver() }
    }

    /// Hands the collected lines to the workers, or leaves them unscanned when the backlog
    /// is full.
    private func handOver() {
        guard let lines = batch, !lines.isEmpty else { return }
        let bytes = lines.byteCount
        // A fresh batch at the next line, not one kept: an idle session holds no buffer.
        batch = nil
        filling = nil
        var behind: Int?
        let startDrain: Bool = pending.withLock { state in
            guard !state.overflowed else { return false }
            if state.bytes + bytes > Self.backlogLimit {
                state.overflowed = true
                behind = state.bytes
                return false
            }
            state.bytes += bytes
            state.work.append(.lines(lines))
            return Self.claimDrain(&state)
        }
        if let behind {
            logger.warning("session \(SessionIdentifier.hex(id)): content evaluation is \(behind >> 20) MiB behind; the rest of this message is not scanned")
        }
        if startDrain { scheduleDrain() }
    }

    /// Queues the end of the message: `completion` gets its decision (on a worker thread)
    /// once every line before it was evaluated.
    public func endOfMessage(_ completion: @escaping @Sendable (Decision) -> Void) {
        let bytes = messageBytes
        // A held message counts as held until its verdict is out.
        guard messageLeft(), let metrics else { return enqueue(.endOfMessage(completion, bytes: bytes)) }
        enqueue(
            .endOfMessage(
                { decision in
                    metrics.messageHeld(false)
                    completion(decision)
                }, bytes: bytes))
    }

    /// Queues an RSET (or the end of a transaction in the line protocol's `tx-reset`).
    public func reset() {
        if messageLeft() { metrics?.messageHeld(false) }
        enqueue(.reset)
    }

    /// The current message's lines have all come, or it was abandoned: its bytes are
    /// counted; true when it was counted as held (the caller counts it out).
    private func messageLeft() -> Bool {
        let held = inMessage && holdsMessages
        if inMessage { metrics?.messageBytes(messageBytes) }
        messageBytes = 0
        inMessage = false
        return held
    }

    /// Queues the end of a transaction (commit, rollback).
    public func transactionEnded() {
        if messageLeft() { metrics?.messageHeld(false) }
        enqueue(.transactionEnded)
    }

    // A session that ends in the middle of a held message does not leave it counted.
    deinit { if inMessage && holdsMessages { metrics?.messageHeld(false) } }

    /// Blocks until everything queued so far was evaluated (tests, orderly shutdown).
    public func waitUntilIdle() {
        handOver()
        queue.sync {}
        while pending.withLock({ $0.draining }) {
            queue.sync {}
            // A drain paused for a message's DNS lookups leaves the queue idle until they
            // are in (2 s at most): wait without spinning.
            if pending.withLock({ $0.draining }) { usleep(1000) }
        }
    }

    private func enqueue(_ work: Work) {
        handOver()
        let startDrain: Bool = pending.withLock { state in
            state.work.append(work)
            return Self.claimDrain(&state)
        }
        if startDrain { scheduleDrain() }
    }

    /// Marks a drain as under way, when none is; true when the caller must start it.
    private static func claimDrain(_ state: inout Pending) -> Bool {
        if state.draining { return false }
        state.draining = true
        return true
    }

    private func scheduleDrain() {
        queue.async { [self] in drain() }
    }

    /// Evaluates what is pending, batch by batch, until nothing is, or until the end of a
    /// message waits for its DNS list lookups: what follows it is put back, the drain stays
    /// claimed, and it goes on from the queue once the lookups are in.
    private func drain() {
        while true {
            let batch: [Work] = pending.withLock { state in
                if state.work.isEmpty {
                    state.draining = false
                    return []
                }
                let batch = state.work
                state.work.removeAll(keepingCapacity: true)
                state.bytes = 0
                return batch
            }
            if batch.isEmpty { return }
            for (index, work) in batch.enumerated() {
                guard evaluate(work) else {
                    let rest = batch[(index + 1)...]
                    pending.withLock { state in
                        state.work.insert(contentsOf: rest, at: 0)
                        for case .lines(let lines) in rest { state.bytes += lines.byteCount }
                    }
                    return
                }
            }
        }
    }

    /// Evaluates one piece of work; false when it is the end of a message that waits for
    /// lookups (it is finished, and the drain resumed, when they are in).
    private func evaluate(_ work: Work) -> Bool {
        switch work {
        case .lines(let lines):
            let started = metrics == nil ? 0 : EngineMetrics.now()
            lines.forEach { engine.dataLine($0) }
            if metrics != nil { engine.messageLinesNanoseconds &+= EngineMetrics.now() &- started }
        case .endOfMessage(let completion, let bytes):
            // Lines no rule reads were not handed over: the size comes from the loop.
            if !scansContent { engine.evaluator.messageSizeUnread(bytes) }
            pending.withLock { $0.overflowed = false }
            engine.evaluator.finishMessageContent()
            let tracker = messageLookups
            messageLookups = nil
            if let tracker, engine.evaluator.awaitsMessageLookups {
                // No thread waits: the last lookup's completion resumes on the queue, and
                // every lookup completes by the resolver's deadline.
                let complete = tracker.whenComplete { [self] in
                    queue.async { [self] in
                        if endMessage(tracker, completion) { drain() }
                    }
                }
                guard complete else { return false }
            }
            return endMessage(tracker, completion)
        case .reset:
            pending.withLock { $0.overflowed = false }
            messageLookups = nil
            engine.reset()
        case .transactionEnded:
            messageLookups = nil
            engine.transactionEnded()
        }
        return true
    }

    /// The end of the message with its lookups' results; false when it waits for a remote
    /// store (the drain is resumed when it is complete).
    private func endMessage(_ lookups: MessageLookupTracker?, _ completion: @escaping @Sendable (Decision) -> Void) -> Bool {
        if let lookups { engine.evaluator.setMessageListings(lookups.results) }
        guard remoteStore != nil else {
            completion(engine.endOfMessage())
            return true
        }
        let inline = InlineCompletion()
        evaluateOnQueue({ $0.endOfMessage() }) { [self] decision in
            completion(decision)
            if inline.running { inline.finished = true } else { drain() }
        }
        inline.running = false
        return inline.finished
    }
}
