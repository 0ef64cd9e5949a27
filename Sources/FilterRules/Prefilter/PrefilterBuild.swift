import CVectorscan
import Dispatch
import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
    import Foundation
#endif

/// Builds one stage's prefilter off the query path, in two steps:
/// 1. the literal stage, and every regex part found in memory or in the disk cache, on a
///    serial queue of its own (it takes a fraction of a second for 10,000 rules), published
///    at once: from then on each rule is enforced by a prefilter or always tried;
/// 2. the regex parts still missing, compiled in parallel on every core at the lowest
///    priority (``BackgroundThreads``), each published as it is built (its rules are
///    always tried until then).
///
/// A compile is cached on disk (``PrefilterCache``) and remembered in memory
/// (``LiveDatabases``), so a reload compiles only what changed.
final class PrefilterBuild: Sendable {
    /// Where first steps run, one stage after another.
    static let firstStepQueue = DispatchQueue(label: "filter-rules.prefilter-first-step", qos: .userInitiated)
    /// Where the regex parts' compiles are started, one rule set's stage after another (each
    /// spreads its parts over every core).
    static let partQueue = DispatchQueue(label: "filter-rules.prefilter-parts", qos: .utility)

    /// How many patterns Vectorscan may refuse one by one in a part before the part is left
    /// to PCRE2 (each refusal costs a compile of the part).
    static let maximumRefusals = 20

    /// Why a build stopped for a rule set no longer wanted.
    static let abandonedReason = "abandoned: a newer reload superseded this rule set"

    private let rules: [CompiledRule]
    private let options: PrefilterOptions
    private let stage: Stage
    private let state: PrefilterState
    private let started = ContinuousClock.now
    private let progress = Mutex(Progress())

    /// Where the build stands.
    private struct Progress {
        var literal: PrefilterIndex.LiveDatabase?
        var literalRuleCount = 0
        var alwaysTried: [Int] = []
        var requiredBytes: [Int: ByteSet] = [:]
        var parts: [PartState] = []
        var compiledAny = false
    }

    /// One regex part's state.
    private enum PartState {
        /// Not built yet: its rules are always tried.
        case pending(RegexPart)
        /// Live; `refused` are the positions of patterns Vectorscan refused in it.
        case live(PrefilterIndex.LiveDatabase, covered: Int, refused: [Int])
        /// Not to be built: its rules are always tried.
        case failed(positions: [Int])
    }

    /// Why a database was not had.
    private enum Stop: Error {
        case refused(VectorscanError)
        case abandoned
    }

    /// Starts building the prefilter of `rules` (one stage's) into `state`.
    static func start(rules: [CompiledRule], options: PrefilterOptions, state: PrefilterState) {
        let build = PrefilterBuild(rules: rules, options: options, state: state)
        firstStepQueue.async { build.firstStep() }
    }

    private init(rules: [CompiledRule], options: PrefilterOptions, state: PrefilterState) {
        self.rules = rules
        self.options = options
        self.stage = rules.first?.rule.stage ?? .connect
        self.state = state
    }

    private var seconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    // MARK: The first step

    private func firstStep() {
        if options.isAbandoned() { return fail(Self.abandonedReason) }
        if let reason = Vectorscan.unavailableReason { return fail(reason) }
        var plan = PrefilterPlan(rules: rules, memory: options.analyses)
        var literal: PrefilterIndex.LiveDatabase?
        if !plan.literals.isEmpty {
            switch obtain(.literals(plan.literals)) {
            case .success(let database): literal = PrefilterIndex.LiveDatabase(database: database, positions: nil)
            case .failure(.abandoned): return fail(Self.abandonedReason)
            case .failure(.refused(let error)):
                options.report(.literalsRefused(stage: stage, reason: error.message))
                plan = PrefilterPlan(rules: rules, literalStage: false, memory: options.analyses)
            }
        }
        let parts = RegexPart.split(plan.regexes)
        guard literal != nil || !parts.isEmpty else { return fail("no rule of it suits Vectorscan") }
        let states = parts.map { part -> PartState in
            guard let found = lookUp(.regexes(part.patterns)) else { return .pending(part) }
            return .live(.init(database: found, positions: part.positions), covered: part.patterns.count, refused: [])
        }
        progress.withLock { progress in
            progress.literal = literal
            progress.literalRuleCount = literal == nil ? 0 : plan.literalRuleCount
            progress.alwaysTried = plan.alwaysTried
            progress.requiredBytes = plan.requiredBytes
            progress.parts = states
        }
        guard publish() else { return }
        // Reported before the first step is said to have ended: a reload waiting for it logs
        // its line after this one.
        let pending = states.indices.filter { if case .pending = states[$0] { return true } else { return false } }
        guard !pending.isEmpty else { return finish() }
        options.report(progress.withLock { self.liveReport($0, final: false) })
        if progress.withLock({ $0.compiledAny }) { cvectorscan_release_compile_memory() }
        state.firstStepEnded()
        Self.partQueue.async { self.buildParts(pending) }
    }

    /// No prefilter for the stage: every rule is tried in order.
    private func fail(_ reason: String) {
        state.failure.withLock { $0 = reason }
        if reason != Self.abandonedReason { options.report(.sequential(stage: stage, reason: reason)) }
        state.firstStepEnded()
        state.buildingEnded()
    }

    // MARK: The regex parts

    private func buildParts(_ pending: [Int]) {
        BackgroundThreads.run(pending.count) { [self] index in
            let part = pending[index]
            guard case .pending(let regexPart) = progress.withLock({ $0.parts[part] }), !options.isAbandoned() else { return }
            let built = build(regexPart)
            progress.withLock { $0.parts[part] = built }
            guard publish() else { return }
            if case .live(_, let covered, _) = built {
                let remaining = progress.withLock { progress in
                    progress.parts.count { if case .pending = $0 { return true } else { return false } }
                }
                options.report(.partLive(stage: stage, rules: covered, partsToGo: remaining, seconds: seconds))
            }
        }
        if options.isAbandoned() {
            state.buildingEnded()
        } else {
            finish()
        }
    }

    /// The part's database, Vectorscan's refusals given up one by one.
    private func build(_ part: RegexPart) -> PartState {
        var part = part
        var refused: [Int] = []
        while true {
            switch obtain(.regexes(part.patterns)) {
            case .success(let database):
                return .live(.init(database: database, positions: part.positions), covered: part.patterns.count, refused: refused)
            case .failure(.abandoned):
                return .pending(part)
            case .failure(.refused(let error)):
                guard let index = error.patternIndex, refused.count < Self.maximumRefusals else {
                    return .failed(positions: part.positions.map { Int($0) } + refused)
                }
                refused.append(part.giveUp(patternAt: index))
                if part.patterns.isEmpty { return .failed(positions: refused) }
            }
        }
    }

    // MARK: Databases

    /// The database of `recipe`: in use already, from the disk cache, or compiled (and then
    /// cached and remembered).
    private func obtain(_ recipe: DatabaseRecipe) -> Result<VectorscanDatabase, Stop> {
        if let found = lookUp(recipe) { return .success(found) }
        if options.isAbandoned() { return .failure(.abandoned) }
        let database: VectorscanDatabase
        do { database = try recipe.compile() } catch { return .failure(.refused(error)) }
        progress.withLock { $0.compiledAny = true }
        let key = recipe.key
        options.live.remember(database, for: key)
        if let cache = options.cache, let problem = cache.store(database, for: recipe) {
            options.report(.cacheProblem(problem))
        }
        return .success(database)
    }

    /// The database of `recipe` if one is in use or in the disk cache.
    private func lookUp(_ recipe: DatabaseRecipe) -> VectorscanDatabase? {
        let key = recipe.key
        if let live = options.live.find(key) { return live }
        guard let cache = options.cache else { return nil }
        switch cache.load(recipe) {
        case .found(let database):
            options.live.remember(database, for: key)
            return database
        case .missing:
            return nil
        case .unusable(let why):
            options.report(.cacheProblem(why))
            return nil
        }
    }

    // MARK: Publishing

    /// Publishes the index of what is live now; false (the stage then stays sequential)
    /// when Vectorscan cannot make a scratch space for it.
    private func publish() -> Bool {
        let failure: String? = progress.withLock { progress -> String? in
            var databases: [PrefilterIndex.LiveDatabase] = progress.literal.map { [$0] } ?? []
            var alwaysTried = progress.alwaysTried
            for part in progress.parts {
                switch part {
                case .pending(let part): alwaysTried += part.positions.map { Int($0) }
                case .live(let database, _, let refused):
                    databases.append(database)
                    alwaysTried += refused
                case .failed(let positions): alwaysTried += positions
                }
            }
            guard !databases.isEmpty else { return nil }
            do {
                state.publish(
                    try PrefilterIndex(databases: databases, alwaysTried: alwaysTried.sorted(), requiredBytes: progress.requiredBytes))
                return nil
            } catch {
                return "\(error)"
            }
        }
        guard let failure else { return true }
        fail("Vectorscan cannot scan the databases: \(failure)")
        return false
    }

    /// Reports the stage complete. What compiling allocated and freed is given back to the
    /// system first: without that, a cold build of 10,000 rules left 90 MB resident
    /// against 62 MB for the same rules loaded from the cache (after it: 56 MB).
    private func finish() {
        if progress.withLock({ $0.compiledAny }) { cvectorscan_release_compile_memory() }
        options.report(progress.withLock { liveReport($0, final: true) })
        state.buildingEnded()
    }

    private func liveReport(_ progress: Progress, final: Bool) -> PrefilterReport {
        var regex = 0
        var pendingParts = 0
        var alwaysTried = progress.alwaysTried.count
        for part in progress.parts {
            switch part {
            case .pending(let part):
                pendingParts += 1
                alwaysTried += part.positions.count
            case .live(_, let covered, let refused):
                regex += covered
                alwaysTried += refused.count
            case .failed(let positions): alwaysTried += positions.count
            }
        }
        if final {
            return .live(
                stage: stage, literal: progress.literalRuleCount, regex: regex, alwaysTried: alwaysTried, seconds: seconds,
                fromCache: !progress.compiledAny)
        }
        return .firstStepLive(
            stage: stage, literal: progress.literalRuleCount, regex: regex, alwaysTried: alwaysTried, partsToGo: pendingParts,
            seconds: seconds)
    }
}
