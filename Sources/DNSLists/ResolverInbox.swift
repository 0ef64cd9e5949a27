import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The lookups callers have asked for and the event thread has not taken yet, and the
/// pipe that wakes the thread when one comes (or when the resolver stops).
final class ResolverInbox: Sendable {
    private struct State {
        var lookups: [Lookup] = []
        var stopping = false
        /// The pipe was closed: nothing writes to its descriptors any more (they may be reused).
        var closed = false
    }

    private let state = Mutex(State())
    /// Readable while something waits; the event thread polls it.
    let wakeDescriptor: Int32
    /// The pipe's other end, written to wake the thread (non-blocking: a full pipe already wakes it).
    private let wakeWriter: Int32

    init(wakeDescriptor: Int32, wakeWriter: Int32) {
        self.wakeDescriptor = wakeDescriptor
        self.wakeWriter = wakeWriter
    }

    /// Queues `lookup` and wakes the thread; false once the resolver is stopping.
    func add(_ lookup: Lookup) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.lookups.append(lookup)
            // Under the lock, so that the pipe cannot be closed in between.
            wake(state)
            return true
        }
    }

    /// Marks the resolver as stopping and wakes the thread.
    func stop() {
        state.withLock { state in
            state.stopping = true
            wake(state)
        }
    }

    /// What waits, taken out, and whether the resolver is stopping (event thread).
    func take() -> (lookups: [Lookup], stopping: Bool) {
        var drained = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &drained, drained.count) == drained.count {}
        return state.withLock { state in
            defer { state.lookups.removeAll() }
            return (state.lookups, state.stopping)
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

    /// Wakes the thread (non-blocking write; a full pipe wakes it already).
    private func wake(_ state: borrowing State) {
        guard !state.closed else { return }
        var one: UInt8 = 1
        _ = write(wakeWriter, &one, 1)
    }
}
