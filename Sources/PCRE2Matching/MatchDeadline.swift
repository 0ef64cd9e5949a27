#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The clock the time limits are measured on: monotonic wall time, read without a system
/// call. On Linux `CLOCK_MONOTONIC_COARSE`, which costs a quarter of `CLOCK_MONOTONIC`
/// (8 ns against 33 ns a read, measured; it is read after every match) and advances in
/// kernel ticks of 1–10 ms, fine enough for limits of tens of milliseconds; elsewhere
/// `CLOCK_MONOTONIC`.
public enum MonotonicClock {
    /// Now, in nanoseconds since an arbitrary start. (Inlinable: it is read for every input
    /// the rules match, from the FilterRules module.)
    @inlinable
    public static func now() -> UInt64 {
        var time = timespec()
        #if os(Linux)
            clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        #else
            clock_gettime(CLOCK_MONOTONIC, &time)
        #endif
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// The moment matching of one input has to stop, and which limit set it.
public struct MatchDeadline: Sendable {
    /// The limit a deadline comes from.
    public enum Source: Sendable {
        /// `set line-time-limit`: the time of one input.
        case line(TimeLimit)
        /// `set message-time-limit`: what is left of the message's time.
        case message(TimeLimit)
    }

    /// When, on ``MonotonicClock``.
    public var nanoseconds: UInt64
    /// Which limit set it.
    public var source: Source
    /// How long the input was given when the deadline was set (what a renewal gives again).
    public var budget: UInt64

    /// A deadline at `nanoseconds`, set by `source`, `budget` after the input started.
    @inlinable
    public init(nanoseconds: UInt64, source: Source, budget: UInt64) {
        self.nanoseconds = nanoseconds
        self.source = source
        self.budget = budget
    }

    /// The same budget again, from `now`.
    @inlinable
    public func renewed(at now: UInt64) -> MatchDeadline {
        MatchDeadline(nanoseconds: now + budget, source: source, budget: budget)
    }

    /// Whether the deadline has passed.
    @inlinable
    public var hasPassed: Bool { MonotonicClock.now() >= nanoseconds }

    /// What a regex that runs past it reports: `line time limit exceeded (50ms)` or
    /// `message time limit exceeded (1s)`.
    public var reason: String {
        switch source {
        case .line(let limit): return "line time limit exceeded (\(limit))"
        case .message(let limit): return "message time limit exceeded (\(limit))"
        }
    }
}

extension MatchDeadline {
    /// The deadline of an input whose matching starts at `start`: `lineTimeLimit` after it,
    /// or sooner when less than that is left of `messageTimeLimit` after
    /// `messageTimeSpent` nanoseconds; nil when neither limits it. (Inlinable: made for
    /// every input the rules match.)
    @inlinable
    public static func forInput(
        startingAt start: UInt64, lineTimeLimit line: TimeLimit, messageTimeLimit whole: TimeLimit,
        messageTimeSpent spent: UInt64
    ) -> MatchDeadline? {
        var deadline =
            line.isUnlimited ? nil : MatchDeadline(nanoseconds: start + line.nanoseconds, source: .line(line), budget: line.nanoseconds)
        if !whole.isUnlimited {
            let left = whole.nanoseconds - min(spent, whole.nanoseconds)
            if line.isUnlimited || left < line.nanoseconds {
                deadline = MatchDeadline(nanoseconds: start + left, source: .message(whole), budget: left)
            }
        }
        return deadline
    }
}
