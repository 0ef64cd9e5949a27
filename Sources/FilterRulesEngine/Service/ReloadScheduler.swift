import Dispatch
import PCRE2Matching
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// Runs reloads one at a time, off the query path, and coalesces the requests that come
/// while one runs, as nginx and unbound do with SIGHUP: a request during a reload marks one
/// more reload pending, however many come, so a burst of any length costs at most the
/// reload running and one more, and memory holds at most two rule sets.
///
/// The reload running is told when it is superseded (a request came after it started): one
/// still waiting for its prefilter databases then gives up, since the file will be read
/// again. The pending reload starts once requests have stopped for ``quietPeriod`` (at
/// most ``longestWait`` after the first of them), so that a burst still under way does not
/// start and supersede a reload per request.
public final class ReloadScheduler: Sendable {
    /// How a request was taken.
    public enum Request: Equatable, Sendable {
        /// A reload starts now.
        case started
        /// A reload is under way: one more follows it.
        case queued
        /// A reload is under way and one more already follows it: this request is part of it.
        case merged
    }

    /// How long requests must have stopped before the pending reload starts, in nanoseconds.
    public let quietPeriod: UInt64
    /// How long the pending reload waits for quiet at most, in nanoseconds.
    public let longestWait: UInt64

    /// A reload: `superseded` answers whether a newer request has come since it started.
    public typealias Reload = @Sendable (_ superseded: @escaping @Sendable () -> Bool) -> Void

    private struct State {
        var running = false
        var pending = false
        /// Requests so far; a reload is superseded once this differs from its own count.
        var requests: UInt64 = 0
        /// When the last request came, and the first one the pending reload stands for.
        var lastRequest: UInt64 = 0
        var firstPending: UInt64 = 0
    }

    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "filter-rules.reload")
    private let reload: Reload

    /// A scheduler running `reload`; by default the pending reload waits for 300 ms without
    /// requests, 30 s at most.
    public init(quietPeriod: UInt64 = 300_000_000, longestWait: UInt64 = 30_000_000_000, reload: @escaping Reload) {
        self.quietPeriod = quietPeriod
        self.longestWait = longestWait
        self.reload = reload
    }

    /// Asks for a reload (from the signal thread): it starts now when none runs.
    @discardableResult
    public func request() -> Request {
        let now = MonotonicClock.now()
        let taken: Request = state.withLock { state in
            state.requests &+= 1
            state.lastRequest = now
            if !state.running {
                state.running = true
                return .started
            }
            if state.pending { return .merged }
            state.pending = true
            state.firstPending = now
            return .queued
        }
        if taken == .started { queue.async { self.runReloads() } }
        return taken
    }

    /// Whether a reload runs or is pending.
    public var isBusy: Bool { state.withLock { $0.running } }

    /// Runs the reload, then the pending one while there is one.
    private func runReloads() {
        while true {
            let generation = state.withLock { state -> UInt64 in
                state.pending = false
                return state.requests
            }
            reload { self.state.withLock { $0.requests != generation } }
            guard waitForPending() else { return }
        }
    }

    /// After a reload: false when none is pending (the scheduler is idle again), true once
    /// the pending one may start.
    private func waitForPending() -> Bool {
        while true {
            let wait: UInt64? = state.withLock { state in
                guard state.pending else {
                    state.running = false
                    return nil
                }
                let now = MonotonicClock.now()
                let quiet = now &- state.lastRequest
                if quiet >= quietPeriod || now &- state.firstPending >= longestWait { return 0 }
                return quietPeriod - quiet
            }
            guard let wait else { return false }
            if wait == 0 { return true }
            var pause = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
            _ = nanosleep(&pause, nil)  // an interruption only shortens the wait; the loop checks again
        }
    }
}
