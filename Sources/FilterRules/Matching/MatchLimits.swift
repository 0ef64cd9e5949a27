/// Resource limits applied to every regular expression match.
public struct MatchLimits: Sendable, Equatable {
    /// PCRE2's match limit: how many times the internal match function may be called
    /// (or, under JIT, a comparable count of backtracking steps).
    public var matchLimit: UInt32
    /// PCRE2's depth limit: how deep backtracking may nest (ignored by JIT matching,
    /// which is bounded by its stack instead).
    public var depthLimit: UInt32

    /// Creates limits; the defaults stop catastrophic backtracking quickly.
    public init(matchLimit: UInt32 = 100_000, depthLimit: UInt32 = 10_000) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
    }

    /// The default limits: match limit 100 000, depth limit 10 000.
    public static let `default` = MatchLimits()
}
