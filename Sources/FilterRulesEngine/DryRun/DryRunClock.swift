import RuleStores
import Synchronization

/// The time a dry-run's limits, lists and greylisting count by: the wall clock at the
/// run's start, moved on only by the transcripts (`#! time +6m`) and `--at`, so that a run
/// gives the same answers however long it takes.
public final class DryRunClock: Sendable {
    private let milliseconds: Mutex<Int64>

    /// A clock at `start` (milliseconds since the epoch; now by default).
    public init(start: Int64 = WallClock.now()) {
        milliseconds = Mutex(start)
    }

    /// The time now.
    public var now: Int64 { milliseconds.withLock { $0 } }

    /// Moves the clock on.
    public func advance(by amount: Int64) {
        milliseconds.withLock { $0 += amount }
    }
}
