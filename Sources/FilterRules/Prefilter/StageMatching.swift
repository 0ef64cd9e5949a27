/// How a rule set's stages find their first matching rule.
public enum StageMatching: Sendable {
    /// Every rule tried with PCRE2 in file order (``SequentialStageMatcher``).
    case sequential
    /// A Vectorscan prefilter names the candidate rules, PCRE2 confirms them
    /// (``PrefilteredStageMatcher``); until its database is built, sequentially.
    case prefiltered(PrefilterOptions)

    /// The matcher of one stage's rules.
    func matcher(for rules: [CompiledRule]) -> any StageMatcher {
        switch self {
        case .sequential: return SequentialStageMatcher(rules: rules)
        case .prefiltered(let options): return PrefilteredStageMatcher(rules: rules, options: options)
        }
    }

    /// The same matching, with prefilter databases that are not built (or no further)
    /// once `abandoned` answers true: for a reload that a newer one supersedes.
    public func abandoning(when abandoned: @escaping @Sendable () -> Bool) -> StageMatching {
        guard case .prefiltered(var options) = self else { return self }
        options.isAbandoned = abandoned
        return .prefiltered(options)
    }
}

/// Where a prefilter's databases are cached and who hears how the building went.
public struct PrefilterOptions: Sendable {
    /// The disk cache of compiled databases; nil for none.
    public var cache: PrefilterCache?
    /// Hears one report per stage when its database is live or cannot be, and of cache
    /// problems; called on the building thread.
    public var report: @Sendable (PrefilterReport) -> Void
    /// Whether the rule set the databases are for is no longer wanted (a newer reload
    /// superseded it): a build not started is skipped, one under way stops before its next
    /// compile. Vectorscan cannot stop a compile that has begun; its database still goes
    /// to the cache.
    public var isAbandoned: @Sendable () -> Bool

    /// Creates options.
    public init(
        cache: PrefilterCache? = nil, report: @escaping @Sendable (PrefilterReport) -> Void = { _ in },
        isAbandoned: @escaping @Sendable () -> Bool = { false }
    ) {
        self.cache = cache
        self.report = report
        self.isAbandoned = isAbandoned
    }
}

/// What became of a stage's prefilter.
public enum PrefilterReport: Sendable, CustomStringConvertible {
    /// The database is in use: how many of the stage's rules it covers, how many are always
    /// tried with PCRE2, how long building (or loading) it took, and whether it came from
    /// the disk cache.
    case live(stage: Stage, covered: Int, alwaysTried: Int, seconds: Double, fromCache: Bool)
    /// The stage stays sequential, and why.
    case sequential(stage: Stage, reason: String)
    /// The disk cache could not be read or written (the database is built, or used, anyway).
    case cacheProblem(String)

    /// The log line.
    public var description: String {
        switch self {
        case .live(let stage, let covered, let tried, let seconds, let cached):
            let time = (seconds * 1000).rounded() / 1000
            return "prefilter live for \(stage): \(covered) rules in the Vectorscan database, \(tried) always tried with PCRE2, "
                + (cached ? "loaded from the cache in \(time) s" : "built in \(time) s")
        case .sequential(let stage, let reason):
            return "no prefilter for \(stage), its rules are tried one by one with PCRE2: \(reason)"
        case .cacheProblem(let text):
            return "prefilter cache: \(text)"
        }
    }
}
