import DNSLists
import FilterRules
import Synchronization

/// The DNS list lookups of one message as they come in (started while the message
/// streams through), and what waits for the last of them: the end of the message.
final class MessageLookupTracker: Sendable {
    private struct State {
        var results: [MessageLookup: DNSListResult] = [:]
        var outstanding = 0
        var waiter: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// A lookup was started; its result comes to ``finished(_:_:)``.
    func started() {
        state.withLock { $0.outstanding += 1 }
    }

    /// A lookup's result: when it was the last one and the end of the message waits, the
    /// waiter runs (on this thread).
    func finished(_ lookup: MessageLookup, _ result: DNSListResult) {
        let waiter: (@Sendable () -> Void)? = state.withLock { state in
            state.results[lookup] = result
            state.outstanding -= 1
            guard state.outstanding == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?()
    }

    /// True when every lookup is in; else false, and `waiter` runs when the last one is.
    func whenComplete(_ waiter: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            if state.outstanding == 0 { return true }
            state.waiter = waiter
            return false
        }
    }

    /// The results so far.
    var results: [MessageLookup: DNSListResult] { state.withLock { $0.results } }
}
