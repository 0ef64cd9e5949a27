import Synchronization

/// How often each rule of a rule set decided, readable from another thread (SIGUSR1).
public final class HitCounters: Sendable {
    private let counts: Mutex<[Int]>

    /// Counters for `count` rules, all zero (or starting from `initial`).
    public init(count: Int, initial: [Int]? = nil) {
        counts = Mutex(initial ?? Array(repeating: 0, count: count))
    }

    /// Counts one decision of rule `index`.
    public func record(_ index: Int) {
        counts.withLock { $0[index] += 1 }
    }

    /// The current counts, by rule index.
    public var snapshot: [Int] { counts.withLock { $0 } }
}
