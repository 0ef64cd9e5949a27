import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The commands callers sent and the event thread has not taken yet, and the pipe that
/// wakes the thread when one comes (or when the client stops).
final class RedisInbox: Sendable {
    private struct State {
        var requests: [RedisRequest] = []
        var stopping = false
        var closed = false
    }

    private let state = Mutex(State())
    /// Readable while something waits; the event thread polls it.
    let wakeDescriptor: Int32
    private let wakeWriter: Int32

    init(wakeDescriptor: Int32, wakeWriter: Int32) {
        self.wakeDescriptor = wakeDescriptor
        self.wakeWriter = wakeWriter
    }

    /// Queues `request` and wakes the thread; false once the client is stopping.
    func add(_ request: RedisRequest) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.requests.append(request)
            wake(state)
            return true
        }
    }

    /// Marks the client as stopping and wakes the thread.
    func stop() {
        state.withLock { state in
            state.stopping = true
            wake(state)
        }
    }

    /// What waits, taken out, and whether the client is stopping (event thread).
    func take() -> (requests: [RedisRequest], stopping: Bool) {
        var drained = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &drained, drained.count) == drained.count {}
        return state.withLock { state in
            defer { state.requests.removeAll() }
            return (state.requests, state.stopping)
        }
    }

    /// Closes the pipe (the event thread, as it ends).
    func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            _ = Glibc.close(wakeDescriptor)
            _ = Glibc.close(wakeWriter)
        }
    }

    private func wake(_ state: borrowing State) {
        guard !state.closed else { return }
        var one: UInt8 = 1
        _ = write(wakeWriter, &one, 1)
    }
}
