import Dispatch
#if canImport(FoundationEssentials)
    import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
    import Foundation
#endif

/// Builds prefilter indexes off the query path, one at a time (a serial queue: a large
/// compile takes one core, the others keep answering).
enum PrefilterBuild {
    /// Where builds run.
    static let queue = DispatchQueue(label: "filter-rules.prefilter-build", qos: .utility)

    /// How many patterns Vectorscan may refuse one by one in a set before the stage is left
    /// sequential (each refusal costs a compile of the whole set).
    static let maximumRefusals = 20

    /// The index of a stage's `rules`, from the cache or compiled (and then cached); the
    /// reason when there is none.
    static func index(for rules: [CompiledRule], options: PrefilterOptions) -> Result<(PrefilterIndex, Double, Bool), BuildFailure> {
        let started = Date()
        if let reason = Vectorscan.unavailableReason { return .failure(BuildFailure(reason)) }
        var plan = PrefilterPlan(rules: rules)
        guard !plan.patterns.isEmpty else { return .failure(BuildFailure("no rule of it suits Vectorscan")) }
        var fromCache = false
        var database: VectorscanDatabase?
        var refusals = 0
        while database == nil {
            if let cache = options.cache {
                switch cache.load(plan.patterns) {
                case .found(let cached): database = cached; fromCache = true; continue
                case .missing: break
                case .unusable(let why): options.report(.cacheProblem(why))
                }
            }
            if options.isAbandoned() { return .failure(BuildFailure(abandonedReason)) }
            do {
                let compiled = try VectorscanDatabase(compiling: plan.patterns)
                database = compiled
                if let cache = options.cache, let problem = cache.store(compiled, for: plan.patterns) {
                    options.report(.cacheProblem(problem))
                }
            } catch {
                guard let index = error.patternIndex, refusals < maximumRefusals else {
                    return .failure(BuildFailure("Vectorscan refused the set: \(error.message)"))
                }
                refusals += 1
                plan.giveUp(patternAt: index)
                if plan.patterns.isEmpty { return .failure(BuildFailure("Vectorscan refused every rule")) }
            }
        }
        let index = PrefilterIndex(database: database!, alwaysTried: plan.alwaysTried, coveredCount: plan.patterns.count)
        return .success((index, Date().timeIntervalSince(started), fromCache))
    }

    /// Why a build stopped for a rule set no longer wanted.
    static let abandonedReason = "abandoned: a newer reload superseded this rule set"

    /// Why a stage has no prefilter.
    struct BuildFailure: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
