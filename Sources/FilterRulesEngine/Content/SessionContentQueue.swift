import Dispatch
import FilterRules
import Logging
import OpenSMTPD
import Synchronization

/// One session's ``SessionEngine`` with its message content evaluated off the protocol
/// loop, in order.
///
/// Every use of the engine runs on the session's serial queue: envelope queries
/// synchronously (the queue is idle then, since smtpd asks nothing of a session while its
/// message is being decided, so they cost a queue hop, not a wait), message lines and the
/// end of the message asynchronously. Lines are buffered and drained in batches, so the
/// loop pays one lock and one copy per line. The end of the message delivers its decision
/// to a completion handler once every line before it was evaluated: the adapters answer
/// from there (a deferred answer), and smtpd's answers stay in order per session.
///
/// Lines waiting for evaluation are bounded by ``backlogLimit``: a session whose content
/// falls further behind has the rest of its message left unscanned (logged once per
/// message), as if the scan limit had been reached there, and the message passes through
/// unchanged either way.
public final class SessionContentQueue: @unchecked Sendable {
    // @unchecked: `engine` is only touched on `queue` (a serial queue); `pending` is
    // guarded by its mutex.

    /// What waits for the engine.
    enum Work {
        case line([UInt8])
        case endOfMessage(@Sendable (Decision) -> Void)
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

    /// The session's id.
    public let id: UInt64
    private let engine: SessionEngine
    private let queue: DispatchQueue
    private let pending = Mutex(Pending())
    private let logger: Logger

    /// Starts a session with the store's current rules, its content evaluated on `workers`.
    public init(id: UInt64, store: RuleSetStore, workers: ContentWorkers, logger: Logger) {
        self.id = id
        self.engine = SessionEngine(id: id, store: store, logger: logger)
        self.queue = workers.serialQueue(for: id)
        self.logger = logger
    }

    /// The rule set the session started with.
    public var ruleSet: CompiledRuleSet { engine.evaluator.ruleSet }

    /// Runs an envelope step (connect, HELO, MAIL, RCPT, DATA) on the engine and returns
    /// its decision.
    public func envelope(_ step: (SessionEngine) -> Decision) -> Decision {
        queue.sync { step(engine) }
    }

    /// Queues one message line (without its line ending) for evaluation.
    public func dataLine(_ line: [UInt8]) {
        let startDrain: Bool = pending.withLock { state in
            guard !state.overflowed else { return false }
            if state.bytes + line.count > Self.backlogLimit {
                state.overflowed = true
                logger.warning("session \(SessionIdentifier.hex(id)): content evaluation is \(state.bytes >> 20) MiB behind; the rest of this message is not scanned")
                return false
            }
            state.bytes += line.count
            state.work.append(.line(line))
            return Self.claimDrain(&state)
        }
        if startDrain { scheduleDrain() }
    }

    /// Queues the end of the message: `completion` gets its decision (on a worker thread)
    /// once every line before it was evaluated.
    public func endOfMessage(_ completion: @escaping @Sendable (Decision) -> Void) {
        enqueue(.endOfMessage(completion))
    }

    /// Queues an RSET (or the end of a transaction in the line protocol's `tx-reset`).
    public func reset() { enqueue(.reset) }

    /// Queues the end of a transaction (commit, rollback).
    public func transactionEnded() { enqueue(.transactionEnded) }

    /// Blocks until everything queued so far was evaluated (tests, orderly shutdown).
    public func waitUntilIdle() {
        queue.sync {}
        while pending.withLock({ $0.draining }) { queue.sync {} }
    }

    private func enqueue(_ work: Work) {
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

    /// Evaluates what is pending, batch by batch, until nothing is.
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
            for work in batch { evaluate(work) }
        }
    }

    private func evaluate(_ work: Work) {
        switch work {
        case .line(let line):
            engine.dataLine(line)
        case .endOfMessage(let completion):
            pending.withLock { $0.overflowed = false }
            completion(engine.endOfMessage())
        case .reset:
            pending.withLock { $0.overflowed = false }
            engine.reset()
        case .transactionEnded:
            engine.transactionEnded()
        }
    }
}
