/// Resource limits applied to every regular expression match.
///
/// What they guarantee: the match limit bounds the backtracking steps PCRE2 takes from
/// each start position, not the time of a match. The interpreter counts every step, so a
/// start position costs at most about `matchLimit` small steps; under JIT one step may run
/// over the whole input (a `.*` to its end and back), so a start position on a long input
/// could cost `matchLimit` times its length. JIT matches on long inputs therefore get a
/// lower limit (``jitMatchLimit(forSubjectLength:)``), and ``lineTimeLimit`` bounds the
/// time of all the matches of one input, checked after each match and between slices of
/// start positions on long inputs.
public struct MatchLimits: Sendable, Equatable {
    /// PCRE2's match limit: how many steps the matcher may take from one start position
    /// (interpreter: calls of its internal match function; JIT: a comparable count of
    /// backtracking points).
    public var matchLimit: UInt32
    /// PCRE2's depth limit: how deep backtracking may nest (ignored by JIT matching,
    /// which is bounded by its stack instead).
    public var depthLimit: UInt32
    /// How long the matches of one input (an envelope value, a header, a message line) may
    /// take altogether; ``TimeLimit/unlimited`` for no bound and no lowered JIT limit.
    public var lineTimeLimit: TimeLimit

    /// Creates limits; the defaults are those of a file without `set` lines.
    public init(
        matchLimit: UInt32 = 100_000, depthLimit: UInt32 = 10_000,
        lineTimeLimit: TimeLimit = TimeLimit(milliseconds: 50)
    ) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.lineTimeLimit = lineTimeLimit
    }

    /// The default limits: match limit 100 000, depth limit 10 000, line time limit 50 ms.
    public static let `default` = MatchLimits()

    /// How many JIT steps times input bytes one millisecond of ``lineTimeLimit`` allows a
    /// start position. Measured at 0.2 ns per step and byte for `(.*a){20}` (filter-bench
    /// limits, BENCHMARKS.md); at 0.5 ns a start position stays within 40 % of the limit.
    public static let jitStepBytesPerMillisecond: UInt64 = 2_000_000

    /// The lowest match limit a long input lowers the JIT limit to.
    public static let minimumJITMatchLimit: UInt32 = 10

    /// The match limit of a JIT match on `length` bytes: ``matchLimit``, lowered on long
    /// inputs so that one start position stays within the line time limit, i.e. to
    /// `lineTimeLimit in ms × 2,000,000 / length` (with 50 ms: 1,027 on 95 KiB, 95 on
    /// 1 MiB), but not below 10. Without a line time limit, ``matchLimit``.
    public func jitMatchLimit(forSubjectLength length: Int) -> UInt32 {
        guard !lineTimeLimit.isUnlimited, length > 0 else { return matchLimit }
        let steps = UInt64(lineTimeLimit.milliseconds) * Self.jitStepBytesPerMillisecond / UInt64(length)
        return min(matchLimit, UInt32(clamping: max(steps, UInt64(Self.minimumJITMatchLimit))))
    }
}
