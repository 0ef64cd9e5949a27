/// The content queues of the sessions an adapter tracks, by session id, each made with the
/// rules in force when its session begins. The queue looked up last is kept at hand: message
/// lines come in runs of one session, and a lookup by hashing per line showed in profiles.
struct SessionQueues {
    private var queues: [UInt64: SessionContentQueue] = [:]
    private var last: SessionContentQueue?
    private let make: (UInt64) -> SessionContentQueue

    /// A table that makes a session's queue with `make` when it is first asked for.
    init(make: @escaping (UInt64) -> SessionContentQueue) {
        self.make = make
    }

    /// Number of sessions tracked.
    var count: Int { queues.count }

    /// The queue of session `id`, made now when the session is new.
    mutating func queue(_ id: UInt64) -> SessionContentQueue {
        if let last, last.id == id { return last }
        let found = queues[id] ?? start(id)
        last = found
        return found
    }

    /// The queue of session `id` when it is tracked (nothing is made).
    func existing(_ id: UInt64) -> SessionContentQueue? {
        if let last, last.id == id { return last }
        return queues[id]
    }

    /// Starts session `id` afresh with the rules in force now, replacing a queue it had.
    @discardableResult
    mutating func start(_ id: UInt64) -> SessionContentQueue {
        let queue = make(id)
        queues[id] = queue
        last = queue
        return queue
    }

    /// Forgets session `id`.
    mutating func end(_ id: UInt64) {
        queues[id] = nil
        if last?.id == id { last = nil }
    }
}
