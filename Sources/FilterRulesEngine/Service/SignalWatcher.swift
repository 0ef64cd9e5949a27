#if canImport(Glibc)
    import Glibc
#endif

/// Turns the daemon's signals into calls on a dedicated thread, off the query path.
///
/// ``blockDaemonSignals()`` must run first thing in the process, before any thread exists:
/// it blocks SIGHUP, SIGUSR1, SIGTERM and SIGINT, so that a SIGHUP arriving early is held
/// pending instead of killing the filter (OpenSMTPD 6.6+ starts filters with SIGHUP at
/// its default action, and the daemon exits when a filter dies). Threads inherit the mask;
/// ``start(handler:)`` then receives the signals with `sigwait` on its own thread.
public enum SignalWatcher {
    /// The signals a serving filter handles.
    public static let daemonSignals: [Int32] = [SIGHUP, SIGUSR1, SIGTERM, SIGINT]

    private static func set(of signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Blocks the daemon signals in the calling thread (and every thread created after).
    public static func blockDaemonSignals() {
        var set = set(of: daemonSignals)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Unblocks them again (for commands that do not serve, such as `check`).
    public static func unblockDaemonSignals() {
        var set = set(of: daemonSignals)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Starts a thread that waits for the daemon signals and calls `handler` with each.
    public static func start(handler: @escaping @Sendable (Int32) -> Void) {
        let context = Unmanaged.passRetained(SignalHandlerBox(handler)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { context in
                let handler = Unmanaged<SignalHandlerBox>.fromOpaque(context!).takeRetainedValue().handler
                var set = SignalWatcher.set(of: SignalWatcher.daemonSignals)
                while true {
                    var received: Int32 = 0
                    if sigwait(&set, &received) == 0 { handler(received) }
                }
            }, context)
        precondition(result == 0, "cannot start the signal thread: \(String(cString: strerror(result)))")
        pthread_detach(thread)
    }
}

/// The handler, carried through `pthread_create`'s context pointer.
private final class SignalHandlerBox: Sendable {
    let handler: @Sendable (Int32) -> Void

    init(_ handler: @escaping @Sendable (Int32) -> Void) { self.handler = handler }
}
