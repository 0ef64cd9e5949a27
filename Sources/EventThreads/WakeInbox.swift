import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What callers handed an event thread and it has not taken yet, and the pipe that wakes
/// the thread when something comes (or when it is told to stop): the thread polls
/// ``wakeDescriptor`` beside its sockets. The DNS resolver and the Redis client each have
/// one.
public final class WakeInbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var stopping = false
        /// The pipe was closed: nothing writes to its descriptors any more (they may be reused).
        var closed = false
    }

    private let state = Mutex(State())
    /// Readable while something waits; the event thread polls it.
    public let wakeDescriptor: Int32
    /// The pipe's other end, written to wake the thread (non-blocking: a full pipe already wakes it).
    private let wakeWriter: Int32

    /// An empty inbox with a new pipe (both ends non-blocking and close-on-exec).
    ///
    /// - Throws: ``WakeInboxError`` with the system's reason when the pipe cannot be made.
    public init() throws(WakeInboxError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw WakeInboxError(reason: "pipe: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
    }

    /// Queues `item` and wakes the thread; false once the thread is stopping.
    public func add(_ item: Item) -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.items.append(item)
            // Under the lock, so that the pipe cannot be closed in between.
            wake(state)
            return true
        }
    }

    /// Tells the thread to stop, and wakes it.
    public func stop() {
        state.withLock { state in
            state.stopping = true
            wake(state)
        }
    }

    /// What waits, taken out, and whether the thread is to stop (event thread).
    public func take() -> (items: [Item], stopping: Bool) {
        var drained = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &drained, drained.count) == drained.count {}
        return state.withLock { state in
            defer { state.items.removeAll() }
            return (state.items, state.stopping)
        }
    }

    /// Closes the pipe (the event thread, as it ends).
    public func close() {
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

/// Why an event thread or its inbox could not be set up.
public struct WakeInboxError: Error, CustomStringConvertible {
    /// What failed, with the system's reason.
    public let reason: String
    public var description: String { reason }
}
