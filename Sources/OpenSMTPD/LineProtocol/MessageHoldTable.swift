/// The messages under way of a filter that may hold messages, by session, with the entry
/// looked up last kept at hand: message lines come in runs of one session, so most lines
/// find their entry without hashing.
///
/// The entry at hand is made at a lookup that finds one and dropped at every change of the
/// table (set, remove), so it is never one the table no longer holds.
struct MessageHoldTable {
    private var entries: [UInt64: LineMessageHold] = [:]
    private var lastLookedUp: (session: UInt64, hold: LineMessageHold)?
    /// How many times an entry was set or removed (see ``MessageLineCache``).
    private(set) var changes: UInt64 = 0

    /// Whether no message is under way.
    var isEmpty: Bool { entries.isEmpty }

    /// The message under way of `session`, if any.
    mutating func entry(for session: UInt64) -> LineMessageHold? {
        if let last = lastLookedUp, last.session == session { return last.hold }
        guard let hold = entries[session] else { return nil }
        lastLookedUp = (session, hold)
        return hold
    }

    /// The message under way of `session`, looked up without keeping it at hand.
    func peek(_ session: UInt64) -> LineMessageHold? { entries[session] }

    /// `hold` becomes the message under way of `session`.
    mutating func set(_ hold: LineMessageHold, for session: UInt64) {
        lastLookedUp = nil
        changes &+= 1
        entries[session] = hold
    }

    /// Forgets the message under way of `session`, and returns it.
    @discardableResult
    mutating func remove(_ session: UInt64) -> LineMessageHold? {
        lastLookedUp = nil
        changes &+= 1
        return entries.removeValue(forKey: session)
    }
}
