#if canImport(Glibc)
import Glibc
#endif

/// A point in time on the monotonic clock, for bounded waits.
struct Deadline {
    private let end: Double

    /// A deadline `seconds` from now.
    init(seconds: Double) { end = Self.now() + seconds }

    /// Whether the deadline is behind us.
    var hasPassed: Bool { Self.now() >= end }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Polls `condition` every 20 ms until it holds (true) or `seconds` have passed (false).
    static func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Deadline(seconds: seconds)
        while true {
            if condition() { return true }
            if deadline.hasPassed { return false }
            usleep(20_000)
        }
    }
}
