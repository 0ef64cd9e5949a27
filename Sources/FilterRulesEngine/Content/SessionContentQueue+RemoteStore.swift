import FilterRules
import RuleStores
import Synchronization

/// Steps under a remote store (Redis): a step whose rules reach a store call the evaluator
/// has no answer for is put back as it was, the call is made, and the step is evaluated
/// again on the session's queue when the answer is in (a call Redis does not answer in time
/// is unknown, no match). No thread waits meanwhile; the session's next steps wait their
/// turn, and other sessions go on being answered.
extension SessionContentQueue {
    /// An envelope step evaluated at once (`.now`), or, when it waits for the store,
    /// answered later.
    func evaluateNow(_ step: @escaping @Sendable (SessionEngine) -> Decision) -> EnvelopeAnswer {
        guard remoteStore != nil else { return .now(envelope(step)) }
        let outcome = StepOutcome()
        queue.sync { evaluateOnQueue(step) { outcome.deliver($0) } }
        return outcome.answer()
    }

    /// Evaluates `step` on the queue (the caller is on it) and hands its decision to
    /// `deliver`: at once with the embedded store; with a remote one once the step waits
    /// for nothing, after the steps before it.
    func evaluateOnQueue(_ step: @escaping @Sendable (SessionEngine) -> Decision, deliver: @escaping @Sendable (Decision) -> Void) {
        guard let remote = remoteStore else { return deliver(step(engine)) }
        if stepBusy {
            stepBacklog.append { [self] in evaluateOnQueue(step, deliver: deliver) }
            return
        }
        stepBusy = true
        attempt(step, remote) { [self] decision in
            deliver(decision)
            stepBusy = false
            if !stepBacklog.isEmpty { stepBacklog.removeFirst()() }
        }
    }

    /// One evaluation of `step`: complete, or put back and done again once the store call it
    /// waits for is answered.
    private func attempt(
        _ step: @escaping @Sendable (SessionEngine) -> Decision, _ remote: any RemoteStore, done: @escaping @Sendable (Decision) -> Void
    ) {
        let evaluator = engine.evaluator
        let checkpoint = evaluator.checkpoint()
        let decision = step(engine)
        guard let call = evaluator.pendingStoreCall else {
            evaluator.stepCompleted()
            for write in evaluator.takeStoreWrites() { remote.apply(write) }
            return done(decision)
        }
        evaluator.restore(checkpoint)
        remote.answer(call) { [self] answer in
            queue.async { [self] in
                engine.evaluator.setStoreAnswer(answer, for: call)
                attempt(step, remote, done: done)
            }
        }
    }
}

/// The decision of a step that may be complete at once or later: `.now` when it came
/// before ``answer()``, else `.later`, handed on when it comes.
final class StepOutcome: Sendable {
    private let state = Mutex<(decision: Decision?, pending: PendingDecision?)>((nil, nil))

    /// The step's decision (on the session's queue).
    func deliver(_ decision: Decision) {
        let pending = state.withLock { state -> PendingDecision? in
            if state.pending == nil { state.decision = decision }
            return state.pending
        }
        pending?.decided(decision)
    }

    /// The answer to give now.
    func answer() -> EnvelopeAnswer {
        state.withLock { state in
            if let decision = state.decision { return .now(decision) }
            let pending = PendingDecision()
            state.pending = pending
            return .later(pending)
        }
    }
}

/// Whether a completion came while the call that started it still ran (queue only).
final class InlineCompletion: @unchecked Sendable {
    // @unchecked: read and written on the session's queue only.
    var running = true
    var finished = false
}
