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
    /// The databases in use for rule sets built with these options (and copies of them,
    /// such as ``StageMatching/abandoning(when:)`` makes for each reload).
    let live = LiveDatabases()
    /// The regex analyses of the last plan of each stage, for the next (a reload).
    let analyses = RegexAnalyses()

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
    /// The first step is live (the literal stage and the regex parts found in memory or
    /// the cache) while `partsToGo` regex parts are still to be compiled: how many rules the
    /// literal stage covers, how many the live regex parts, how many are always tried with
    /// PCRE2 for now (those of the parts to go among them), and how long it took.
    case firstStepLive(stage: Stage, literal: Int, regex: Int, alwaysTried: Int, partsToGo: Int, seconds: Double)
    /// A regex part is live: how many rules it covers, how many parts are still to go, and
    /// the time since the build began.
    case partLive(stage: Stage, rules: Int, partsToGo: Int, seconds: Double)
    /// Every database is in use: how many of the stage's rules the literal stage covers,
    /// how many the regex databases, how many are always tried with PCRE2, how long
    /// building (or loading) took, and whether every database came from the disk cache or
    /// memory.
    case live(stage: Stage, literal: Int, regex: Int, alwaysTried: Int, seconds: Double, fromCache: Bool)
    /// Vectorscan refused the literal stage; its rules go to the regex databases.
    case literalsRefused(stage: Stage, reason: String)
    /// The stage stays sequential, and why.
    case sequential(stage: Stage, reason: String)
    /// The disk cache could not be read or written (the database is built, or used, anyway).
    case cacheProblem(String)

    /// The log line.
    public var description: String {
        func time(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
        switch self {
        case .firstStepLive(let stage, let literal, let regex, let tried, let toGo, let seconds):
            return "prefilter first step live for \(stage): \(literal) rules by their literals, \(regex) in Vectorscan regex "
                + "databases, \(tried) tried with PCRE2 until \(toGo) regex \(toGo == 1 ? "part is" : "parts are") built, "
                + "in \(time(seconds)) s"
        case .partLive(let stage, let rules, let toGo, let seconds):
            return "prefilter regex part live for \(stage): \(rules) rules, \(toGo) \(toGo == 1 ? "part" : "parts") to go, "
                + "after \(time(seconds)) s"
        case .live(let stage, let literal, let regex, let tried, let seconds, let cached):
            return "prefilter live for \(stage): \(literal) rules by their literals, \(regex) in Vectorscan regex databases, "
                + "\(tried) always tried with PCRE2, "
                + (cached ? "loaded from the cache in \(time(seconds)) s" : "built in \(time(seconds)) s")
        case .literalsRefused(let stage, let reason):
            return "prefilter literal stage refused for \(stage), its rules go to the regex databases: \(reason)"
        case .sequential(let stage, let reason):
            return "no prefilter for \(stage), its rules are tried one by one with PCRE2: \(reason)"
        case .cacheProblem(let text):
            return "prefilter cache: \(text)"
        }
    }
}
