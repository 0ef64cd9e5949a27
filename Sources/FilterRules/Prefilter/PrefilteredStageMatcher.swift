import Dispatch
import PCRE2Matching
import Synchronization

/// Finds the first matching rule with one Vectorscan scan of the input: the databases of
/// the stage (its literal stage and its regex parts, ``PrefilterPlan``) name the rules that
/// may match, and PCRE2, still the meaning of every rule, confirms those and tries the
/// rules Vectorscan does not cover, all in file order. Its decisions are those of
/// ``SequentialStageMatcher``: a rule left out is one whose regex cannot match the input
/// (its PCRE2 match is not tried, so neither can it hit a limit).
///
/// The databases are built on background queues when the matcher is made (or loaded from
/// the disk cache), and swapped in atomically as they are ready (``PrefilterBuild``): the
/// literal stage within a fraction of a second, the regex parts one by one after. Until the
/// first is live, and for good when none can be built, every rule is tried in order.
public final class PrefilteredStageMatcher: StageMatcher {
    /// The stage's rules in file order.
    public let rules: [CompiledRule]
    private let state: PrefilterState

    /// Creates the matcher and starts building its databases.
    public init(rules: [CompiledRule], options: PrefilterOptions) {
        self.rules = rules
        let state = PrefilterState()
        self.state = state
        PrefilterBuild.start(rules: rules, options: options, state: state)
    }

    /// Whether a prefilter is in use (its first step, at least, is live).
    public var isLive: Bool { state.live != nil }

    /// Whether building has ended, in success or not (every regex part built, or given up).
    public var isComplete: Bool { state.isComplete }

    /// Why the stage stays sequential, once building has failed; nil while building or live.
    public var sequentialReason: String? { state.failure.withLock { $0 } }

    /// Waits until building has ended, in success or not.
    public func waitUntilBuilt() { state.building.wait() }

    /// Waits until building has ended or `timeout` (seconds) has passed; whether it ended.
    public func waitUntilBuilt(timeout seconds: Double) -> Bool {
        state.building.wait(timeout: .now() + seconds) == .success
    }

    /// Waits until the first step has ended (the prefilter is live, or cannot be) or
    /// `timeout` (seconds) has passed; whether it ended.
    public func waitUntilLive(timeout seconds: Double) -> Bool {
        state.firstStep.wait(timeout: .now() + seconds) == .success
    }

    /// The first matching rule at or after `position`, honouring negation (see the type).
    public func firstMatch(_ subject: MatchSubject, from position: Int, scratch: MatchScratch) -> StageMatch {
        guard let index = state.live else { return sequential(subject, from: position, scratch) }
        guard let found = subject.bytes.withUnsafeBytes({ index.scan($0) }) else { return sequential(subject, from: position, scratch) }
        defer { index.giveBack(found) }
        return found._withUnsafeGuaranteedRef { confirm($0.found, index, subject, from: position, scratch) }
    }

    /// Tries, in file order, the rules at or after `position` that the scan found (`hits`,
    /// sorted here) and the rules always tried.
    private func confirm(
        _ hits: UnsafeMutableBufferPointer<UInt32>, _ index: PrefilterIndex, _ subject: MatchSubject,
        from position: Int, _ scratch: MatchScratch
    ) -> StageMatch {
        var result = StageMatch()
        var hits = hits
        if hits.count > 1 { hits.sort() }
        var hit = 0
        while hit < hits.count && Int(hits[hit]) < position { hit += 1 }
        // Nothing found and nothing always tried: the common case of a clean line.
        if hit == hits.count && index.alwaysTried.isEmpty { return result }
        var tried = index.firstAlwaysTried(from: position)
        let always = index.alwaysTried
        var subjectBytes: ByteSet?
        while true {
            let nextHit = hit < hits.count ? Int(hits[hit]) : Int.max
            let nextTried = tried < always.count ? always[tried] : Int.max
            let next = min(nextHit, nextTried)
            guard next < rules.count else { return result }
            if next == nextHit {
                // A rule with several literals can be found more than once.
                while hit < hits.count && Int(hits[hit]) == next { hit += 1 }
            }
            if next == nextTried {
                defer { tried += 1 }
                // A rule without literals whose required bytes the subject lacks cannot match.
                if next != nextHit, index.filtersAlwaysTried, let required = index.alwaysTriedBytes[tried] {
                    if subjectBytes == nil { subjectBytes = ByteSet(of: subject.bytes) }
                    if !subjectBytes!.overlaps(required) { continue }
                }
            }
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
final class PrefilterState: Sendable {
    /// The live index, the newest published. Stored unretained: ``published`` keeps every
    /// index ever published alive until the matcher goes, so a reader that loaded one
    /// just before a newer one came can finish its scan (a handful per stage: the first
    /// step and one per regex part). An atomic pointer rather than `AtomicLazyReference`,
    /// whose unspecialised `load()` looked up generic metadata on every input.
    private let index = Atomic<Unmanaged<PrefilterIndex>?>(nil)
    private let published = Mutex<[PrefilterIndex]>([])
    /// Why building failed.
    let failure = Mutex<String?>(nil)
    /// Entered until the first step has ended.
    let firstStep = DispatchGroup()
    /// Entered until building has ended.
    let building = DispatchGroup()
    private let ended = Mutex<(firstStep: Bool, building: Bool)>((false, false))

    init() {
        firstStep.enter()
        building.enter()
    }

    /// The live index, nil until one is published.
    var live: PrefilterIndex? { index.load(ordering: .acquiring)?.takeUnretainedValue() }

    /// Whether building has ended.
    var isComplete: Bool { ended.withLock { $0.building } }

    /// Makes `live` the index.
    func publish(_ live: PrefilterIndex) {
        published.withLock { $0.append(live) }
        index.store(Unmanaged.passUnretained(live), ordering: .releasing)
    }

    /// Says the first step has ended (once; later calls do nothing).
    func firstStepEnded() {
        if ended.withLock({ ended in
            defer { ended.firstStep = true }; return !ended.firstStep
        }) {
            firstStep.leave()
        }
    }

    /// Says building has ended (once; later calls do nothing).
    func buildingEnded() {
        firstStepEnded()
        if ended.withLock({ ended in
            defer { ended.building = true }; return !ended.building
        }) {
            building.leave()
        }
    }
}
