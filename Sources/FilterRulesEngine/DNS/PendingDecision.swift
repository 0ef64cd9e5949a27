import FilterRules
import Synchronization

/// The decision of an envelope step that waits for DNS list lookups: the adapter defers its
/// answer and hands ``whenDecided(_:)`` the sending; whichever of the decision and the
/// handler comes second runs the handler, once.
public final class PendingDecision: Sendable {
    private enum State {
        case waiting
        case decided(Decision)
        case handled(@Sendable (Decision) -> Void)
        case done
    }

    private let state = Mutex(State.waiting)

    init() {}

    /// Calls `handler` with the decision, now if it is there, else when it comes (on the
    /// thread that decides).
    public func whenDecided(_ handler: @escaping @Sendable (Decision) -> Void) {
        let decided: Decision? = state.withLock { state in
            if case .decided(let decision) = state {
                state = .done
                return decision
            }
            state = .handled(handler)
            return nil
        }
        if let decided { handler(decided) }
    }

    /// The step was decided.
    func decided(_ decision: Decision) {
        let handler: (@Sendable (Decision) -> Void)? = state.withLock { state in
            if case .handled(let handler) = state {
                state = .done
                return handler
            }
            state = .decided(decision)
            return nil
        }
        handler?(decision)
    }
}

/// The answer to an envelope step: decided now, or once its DNS list lookups are in.
public enum EnvelopeAnswer {
    /// Decided without waiting.
    case now(Decision)
    /// Waiting for lookups: defer the answer and send it from ``PendingDecision/whenDecided(_:)``.
    case later(PendingDecision)
}
