import Dispatch
import PCRE2Matching
import Synchronization

/// Finds the first matching rule with one Vectorscan scan of the input: the database of the
/// stage's patterns names the rules that may match, and PCRE2, still the meaning of every
/// rule, confirms those and tries the rules Vectorscan does not cover, all in file order.
/// Its decisions are those of ``SequentialStageMatcher``: a rule left out is one whose
/// regex cannot match the input (its PCRE2 match is not tried, so neither can it hit a
/// limit).
///
/// The database is built on a background queue when the matcher is made (or loaded from
/// the disk cache) and swapped in atomically when ready; until then, and for good when it
/// cannot be built, every rule is tried in order.
public final class PrefilteredStageMatcher: StageMatcher {
    /// The stage's rules in file order.
    public let rules: [CompiledRule]
    private let state: PrefilterState

    /// Creates the matcher and starts building its database.
    public init(rules: [CompiledRule], options: PrefilterOptions) {
        self.rules = rules
        let state = PrefilterState()
        self.state = state
        state.building.enter()
        let stage = rules.first?.rule.stage ?? .connect
        PrefilterBuild.queue.async {
            defer { state.building.leave() }
            if options.isAbandoned() {
                state.failure.withLock { $0 = PrefilterBuild.abandonedReason }
                return
            }
            switch PrefilterBuild.index(for: rules, options: options) {
            case .success(let (index, seconds, fromCache)):
                state.publish(index)
                options.report(
                    .live(
                        stage: stage, covered: index.coveredCount, alwaysTried: index.alwaysTried.count,
                        seconds: seconds, fromCache: fromCache))
            case .failure(let failure):
                state.failure.withLock { $0 = failure.reason }
                options.report(.sequential(stage: stage, reason: failure.reason))
            }
        }
    }

    /// Whether the database is in use.
    public var isLive: Bool { state.live != nil }

    /// Why the stage stays sequential, once building has failed; nil while building or live.
    public var sequentialReason: String? { state.failure.withLock { $0 } }

    /// Waits until building has ended, in success or not.
    public func waitUntilBuilt() { state.building.wait() }

    /// Waits until building has ended or `timeout` (seconds) has passed; whether it ended.
    public func waitUntilBuilt(timeout seconds: Double) -> Bool {
        state.building.wait(timeout: .now() + seconds) == .success
    }

    /// The first matching rule at or after `position`, honouring negation (see the type).
    public func firstMatch(_ subject: MatchSubject, from position: Int, scratch: MatchScratch) -> StageMatch {
        guard let index = state.live else { return sequential(subject, from: position, scratch) }
        return subject.bytes.withUnsafeBytes { bytes in
            index.database.scan(bytes) { found in
                guard let found else { return sequential(subject, from: position, scratch) }
                return confirm(found, index, subject, from: position, scratch)
            }
        }
    }

    /// Tries, in file order, the rules at or after `position` that the scan found and the
    /// rules always tried.
    private func confirm(
        _ found: ScanScratch, _ index: PrefilterIndex, _ subject: MatchSubject,
        from position: Int, _ scratch: MatchScratch
    ) -> StageMatch {
        var result = StageMatch()
        var tried = index.firstAlwaysTried(from: position)
        let always = index.alwaysTried
        if found.hits.count > 1 { found.hits.sort() }
        var hit = 0
        while hit < found.hits.count && Int(found.hits[hit]) < position { hit += 1 }
        while true {
            let nextHit = hit < found.hits.count ? Int(found.hits[hit]) : Int.max
            let nextTried = tried < always.count ? always[tried] : Int.max
            let next = min(nextHit, nextTried)
            guard next < rules.count else { return result }
            if next == nextHit { hit += 1 } else { tried += 1 }
            if result.tryRule(rules[next], at: next, subject, scratch) { return result }
        }
    }

    private func sequential(_ subject: MatchSubject, from position: Int, _ scratch: MatchScratch) -> StageMatch {
        var result = StageMatch()
        var next = position
        while next < rules.count {
            if result.tryRule(rules[next], at: next, subject, scratch) { return result }
            next += 1
        }
        return result
    }
}

/// What a prefiltered matcher shares with its building job.
private final class PrefilterState: Sendable {
    /// The live index, published once (the state owns one reference to it). An atomic
    /// pointer rather than `AtomicLazyReference`, whose unspecialised `load()` looked up
    /// generic metadata on every input.
    private let index = Atomic<Unmanaged<PrefilterIndex>?>(nil)
    /// Why building failed.
    let failure = Mutex<String?>(nil)
    /// Entered while building.
    let building = DispatchGroup()

    /// The live index, nil until it is published.
    var live: PrefilterIndex? { index.load(ordering: .acquiring)?.takeUnretainedValue() }

    /// Makes `live` the index; only the first call has an effect.
    func publish(_ live: PrefilterIndex) {
        let reference = Unmanaged.passRetained(live)
        let (stored, _) = index.compareExchange(expected: nil, desired: reference, ordering: .acquiringAndReleasing)
        if !stored { reference.release() }
    }

    deinit {
        index.load(ordering: .acquiring)?.release()
    }
}
