import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A thread of its own running one event loop (the DNS resolver's, the Redis client's),
/// stopped once: by being told through its inbox and then joined, or, when the last
/// reference to its owner goes in one of its own completions, detached (it cannot wait for
/// itself, and it ends by itself once told).
public final class EventThread: Sendable {
    private let thread: Mutex<pthread_t?>

    /// Starts a thread that runs `body`.
    public init(_ body: @escaping @Sendable () -> Void) throws(WakeInboxError) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw WakeInboxError(reason: "cannot start a thread: \(String(cString: strerror(result)))")
        }
        self.thread = Mutex(thread)
    }

    /// Tells the thread to stop (`tell`, e.g. the inbox's stop) and waits until it has,
    /// unless this is that thread. Safe to call more than once.
    public func stop(telling tell: () -> Void) {
        guard
            let running = thread.withLock({ thread in
                defer { thread = nil }; return thread
            })
        else { return }
        tell()
        if pthread_equal(running, pthread_self()) != 0 {
            pthread_detach(running)
            return
        }
        pthread_join(running, nil)
    }

    /// The thread's body, carried through pthread's context pointer.
    private final class Body: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
