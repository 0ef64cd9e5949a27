#if canImport(Glibc)
    import Glibc
#endif

/// A point in time on the monotonic clock, for bounded waits.
struct Deadline {
    private let end: ContinuousClock.Instant

    /// A deadline `seconds` from now.
    init(seconds: Double) { end = .now + .seconds(seconds) }

    /// Whether the deadline is behind us.
    var hasPassed: Bool { ContinuousClock.now >= end }

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
