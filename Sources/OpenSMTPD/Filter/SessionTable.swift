import Logging

/// The sessions the v52 event loop tracks: every open session (at most a bound, see
/// ``SessionLimit``), and apart from them the few with a message under way, which are the
/// only ones the loop polls or looks at on a pass. A pass costs the same with 60,000 idle
/// sessions as with none.
///
/// An idle session costs one ``Session`` object (id, pending query, one shared reference)
/// and its dictionary slot: about 130 bytes of resident memory, measured with 60,000
/// sessions (BENCHMARKS.md).
struct SessionTable {
    /// Every tracked session, by id.
    private(set) var sessions: [UInt64: Session] = [:]
    /// The sessions with a message under way, by id.
    private(set) var messages: [UInt64: MessageState] = [:]
    private var limit = SessionLimit()

    /// Number of tracked sessions.
    var count: Int { sessions.count }

    /// The tracked session `id`, if any.
    func session(_ id: UInt64) -> Session? { sessions[id] }

    /// The session `id`, tracked from now on if it is new; nil when it is new and `maximum`
    /// sessions are tracked (logged once per episode).
    mutating func admit(_ id: UInt64, maximum: Int, logger: Logger, make: () -> Session) -> Session? {
        if let session = sessions[id] { return session }
        guard limit.admits(count: sessions.count, maximum: maximum, logger: logger) else { return nil }
        let session = make()
        sessions[id] = session
        return session
    }

    /// Counts a query answered with the session-limit answer.
    mutating func refusedQuery() { limit.refusedQuery() }

    /// Forgets session `id` and its message, aborting its data pipe.
    mutating func remove(_ id: UInt64, maximum: Int, logger: Logger) {
        guard sessions.removeValue(forKey: id) != nil else { return }
        messages.removeValue(forKey: id)?.end()
        limit.sessionEnded(count: sessions.count, maximum: maximum, logger: logger)
    }

    /// The message state of `session`, created when its message begins.
    mutating func message(of session: Session) -> MessageState {
        if let message = messages[session.id] { return message }
        let message = MessageState(session: session)
        messages[session.id] = message
        return message
    }

    /// The message state of session `id`, if a message is under way.
    func existingMessage(_ id: UInt64) -> MessageState? { messages[id] }

    /// Ends the message of session `id` (its EOM was answered).
    mutating func endMessage(_ id: UInt64) {
        messages.removeValue(forKey: id)?.end()
    }

    /// Aborts every data pipe and forgets every session (the daemon is gone).
    mutating func removeAll() {
        for message in messages.values { message.end() }
        messages.removeAll()
        sessions.removeAll()
    }
}
