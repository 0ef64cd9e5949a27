import Synchronization

/// The bytes held by all the messages of one filter at once (in memory and in spill files
/// together), counted against ``MessageHoldLimits/total``.
///
/// Each ``HeldMessage`` reserves what it appends and gives it all back when it is discarded
/// (or deinitialized), so the count never outlives the holds. One per filter: the line
/// protocol's ``LineFilter`` and filter API 52's event loop each keep one, and every hold
/// they begin shares it. Their holds all live on the thread that serves, but the count is
/// atomic all the same, so that a hold freed anywhere gives its bytes back correctly.
final class HoldBudget: Sendable {
    private let held = Atomic<Int>(0)

    /// An empty budget.
    init() {}

    /// Bytes reserved now.
    var bytesHeld: Int { held.load(ordering: .relaxed) }

    /// Reserves `count` bytes if the bytes held stay within `total` with them; false (and
    /// nothing reserved) when they would not.
    func reserve(_ count: Int, within total: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while true {
            guard count <= total - current else { return false }
            let (exchanged, original) = held.compareExchange(
                expected: current, desired: current + count,
                ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
    }

    /// Gives back `count` bytes reserved before.
    func release(_ count: Int) {
        guard count > 0 else { return }
        held.subtract(count, ordering: .relaxed)
    }
}
