import CoreMetrics
import Dispatch
import DNSLists
import FilterRules
import RuleStores
import Synchronization

/// What the engine counts for the metrics endpoint: decisions, sessions, messages,
/// evaluation time, regex limits, DNS lists, the store and reloads, made through a
/// swift-metrics factory (the endpoint's Prometheus registry). The rule hits, the
/// prefilters' state and the rule set's identity are copied from the set in force by
/// ``refresh(from:)`` before each scrape.
///
/// Every method may be called from any thread. A filter without an endpoint has no
/// `EngineMetrics` at all, so counting costs it nothing.
public final class EngineMetrics: Sendable {
    private let decisions: LabelledMetrics<DecisionLabels, Counter>
    private let sessionsActive: Meter
    private let sessionsTotal: Counter
    private let messages: LabelledMetrics<String, Counter>
    private let messageBytes: Counter
    private let messagesHeld: Meter
    private let evaluation: LabelledMetrics<String, CoreMetrics.Timer>
    private let regexLimitHits: LabelledMetrics<String, Counter>
    private let dnsQueries: LabelledMetrics<[String], Counter>
    private let dnsCacheHits: LabelledMetrics<String, Counter>
    private let dnsLookups: LabelledMetrics<String, CoreMetrics.Timer>
    private let storeCalls: LabelledMetrics<[String], Counter>
    private let breakerOpen: LabelledMetrics<StoreBackend, Gauge>
    private let limitsExceeded: LabelledMetrics<String, Counter>
    private let reloads: LabelledMetrics<String, Counter>
    private let lastReloadSuccessful: Gauge
    private let ruleHits: LabelledMetrics<[String], Counter>
    private let prefilter: LabelledMetrics<[String], Gauge>
    private let rulesLoaded: Gauge
    private let rulesInfo: LabelledMetrics<[String], Gauge>
    /// What ``refresh(from:)`` copied last: the stages with rules, and the rule set's info
    /// labels.
    private let copied = Mutex(Copied())

    private struct Copied {
        var stages: Set<String> = []
        var info: [String]?
    }

    /// The labels of a decision.
    private struct DecisionLabels: Hashable, Sendable {
        var stage: String
        var action: String
        var mode: String
    }

    /// Metrics made by `factory`; `version` is the build's, for `filter_rules_build_info`.
    public init(factory: any MetricsFactory, version: String) {
        decisions = LabelledMetrics { labels in
            Counter(
                label: MetricNames.decisions, dimensions: [("stage", labels.stage), ("action", labels.action), ("mode", labels.mode)],
                factory: factory)
        }
        sessionsActive = Meter(label: MetricNames.sessionsActive, dimensions: [], factory: factory)
        sessionsTotal = Counter(label: MetricNames.sessionsTotal, dimensions: [], factory: factory)
        messages = LabelledMetrics { Counter(label: MetricNames.messages, dimensions: [("result", $0)], factory: factory) }
        messageBytes = Counter(label: MetricNames.messageBytes, dimensions: [], factory: factory)
        messagesHeld = Meter(label: MetricNames.messagesHeld, dimensions: [], factory: factory)
        evaluation = LabelledMetrics { CoreMetrics.Timer(label: MetricNames.evaluationSeconds, dimensions: [("stage", $0)], factory: factory) }
        regexLimitHits = LabelledMetrics { Counter(label: MetricNames.regexLimitHits, dimensions: [("stage", $0)], factory: factory) }
        dnsQueries = LabelledMetrics {
            Counter(label: MetricNames.dnsQueries, dimensions: [("list", $0[0]), ("result", $0[1])], factory: factory)
        }
        dnsCacheHits = LabelledMetrics { Counter(label: MetricNames.dnsCacheHits, dimensions: [("list", $0)], factory: factory) }
        dnsLookups = LabelledMetrics { CoreMetrics.Timer(label: MetricNames.dnsLookupSeconds, dimensions: [("list", $0)], factory: factory) }
        storeCalls = LabelledMetrics {
            Counter(label: MetricNames.storeCalls, dimensions: [("backend", $0[0]), ("result", $0[1])], factory: factory)
        }
        breakerOpen = LabelledMetrics { Gauge(label: MetricNames.storeBreakerOpen, dimensions: [("backend", $0.rawValue)], factory: factory) }
        limitsExceeded = LabelledMetrics { Counter(label: MetricNames.limitExceeded, dimensions: [("limit", $0)], factory: factory) }
        reloads = LabelledMetrics { Counter(label: MetricNames.reloads, dimensions: [("result", $0)], factory: factory) }
        lastReloadSuccessful = Gauge(label: MetricNames.lastReloadSuccessful, dimensions: [], factory: factory)
        ruleHits = LabelledMetrics {
            Counter(label: MetricNames.ruleHits, dimensions: [("rule", $0[0]), ("stage", $0[1]), ("action", $0[2])], factory: factory)
        }
        prefilter = LabelledMetrics { Gauge(label: $0[0], dimensions: [("stage", $0[1])], factory: factory) }
        rulesLoaded = Gauge(label: MetricNames.rulesLoaded, dimensions: [], factory: factory)
        rulesInfo = LabelledMetrics { Gauge(label: MetricNames.rulesInfo, dimensions: [("file", $0[0]), ("hash", $0[1])], factory: factory) }
        Gauge(label: MetricNames.buildInfo, dimensions: [("version", version)], factory: factory).record(1)
        lastReloadSuccessful.record(1)
        // The counters an admin's alerts divide by are there from the start, at 0.
        for result in ["ok", "failed"] { reloads[result].increment(by: 0) }
        sessionsTotal.increment(by: 0)
        messageBytes.increment(by: 0)
    }

    // MARK: Sessions and decisions

    /// A session started.
    func sessionStarted() {
        sessionsTotal.increment()
        sessionsActive.increment()
    }

    /// A session ended.
    func sessionEnded() { sessionsActive.decrement() }

    /// A step's complete decision, made at `step` (connect, helo, mail, rcpt, data,
    /// message, authfail) under `mode`: counted by the stage and action of the rule that
    /// decided (a plain accept by the step), each junk, add-header and warn mark by its
    /// rule's, a refusal report-only mode held back as that refusal in `report-only`
    /// mode. Its evaluation took `nanoseconds` (a message's: all its lines and its end).
    func decided(_ decision: Decision, step: String, mode: EnforcementMode, nanoseconds: UInt64) {
        let modeLabel = mode.rawValue
        if let withheld = decision.withheld {
            decisions[labels(of: withheld.decision, step: step, mode: modeLabel)].increment()
        } else {
            decisions[labels(of: decision, step: step, mode: modeLabel)].increment()
        }
        for mark in decision.marks {
            let stage = DecisionLogLine.stage(of: mark.rule, at: mark.matchedInput).rawValue
            decisions[DecisionLabels(stage: stage, action: mark.rule.action.metricLabel, mode: modeLabel)].increment()
        }
        evaluation[step].recordNanoseconds(Int64(truncatingIfNeeded: nanoseconds))
    }

    private func labels(of decision: Decision, step: String, mode: String) -> DecisionLabels {
        if let rule = decision.rule {
            // A rule's own action, unless the decision was not its (an accept scope of an
            // earlier step, a limit's fail-closed verdict).
            let action = decision.reason == nil ? rule.action.metricLabel : decision.verdict.rawValue
            return DecisionLabels(stage: DecisionLogLine.stage(of: rule, at: decision.matchedInput).rawValue, action: action, mode: mode)
        }
        return DecisionLabels(stage: decision.matchedInput?.stage.rawValue ?? step, action: decision.verdict.rawValue, mode: mode)
    }

    /// A message's decision: counted by its result (a junk mark on an accepted message
    /// makes it `junk`).
    func messageEnded(_ decision: Decision) {
        var result = decision.verdict.rawValue
        if decision.isAccept, decision.marks.contains(where: { $0.kind == .junk }) { result = "junk" }
        messages[result].increment()
    }

    /// The bytes of a message's lines, counted as they passed.
    func messageBytes(_ bytes: Int) { messageBytes.increment(by: Int64(bytes)) }

    /// A message started or stopped being held.
    func messageHeld(_ held: Bool) {
        if held { messagesHeld.increment() } else { messagesHeld.decrement() }
    }

    /// A regex at `stage` hit a limit.
    func regexLimitHit(stage: String) { regexLimitHits[stage].increment() }

    /// Now, in nanoseconds (the evaluation times' clock).
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    // MARK: Reloads and the rule set in force

    /// A reload ended, its file in force or not.
    func reloaded(_ succeeded: Bool) {
        reloads[succeeded ? "ok" : "failed"].increment()
        lastReloadSuccessful.record(succeeded ? 1 : 0)
    }

    /// Copies the rule hits, prefilter state and identity of `ruleSet` (the set in force)
    /// into their metrics; called before each scrape.
    public func refresh(from ruleSet: CompiledRuleSet) {
        let report = ruleSet.hitReport
        var stages: [String: (rules: Int, live: Bool, building: Bool)] = [:]
        for stage in Stage.allCases {
            guard let matcher = ruleSet.matcher(for: stage), !matcher.rules.isEmpty else { continue }
            let prefiltered = matcher as? PrefilteredStageMatcher
            stages[stage.rawValue] = (matcher.rules.count, prefiltered?.isLive ?? false, !(prefiltered?.isComplete ?? true))
        }
        let info = [ruleSet.file.path, Self.hash(of: ruleSet)]
        copied.withLock { copied in
            // Each counter is set to the set's count as it is (a reload carries counts by
            // rule, not by line, so a difference from the last scrape would not be one).
            for (rule, hits) in report {
                let counter = ruleHits[[rule.location.fileAndLine, rule.stage.rawValue, rule.action.metricLabel]]
                counter.reset()
                counter.increment(by: Int64(hits))
            }
            for stage in copied.stages.subtracting(stages.keys) {
                for name in [MetricNames.prefilterRules, MetricNames.prefilterLive, MetricNames.prefilterBuilding] {
                    prefilter[[name, stage]].record(0)
                }
            }
            for (stage, state) in stages {
                prefilter[[MetricNames.prefilterRules, stage]].record(state.rules)
                prefilter[[MetricNames.prefilterLive, stage]].record(state.live ? 1 : 0)
                prefilter[[MetricNames.prefilterBuilding, stage]].record(state.building ? 1 : 0)
            }
            copied.stages = Set(stages.keys)
            if copied.info != info {
                if let old = copied.info { rulesInfo[old].record(0) }
                rulesInfo[info].record(1)
                copied.info = info
            }
        }
        rulesLoaded.record(ruleSet.rules.count)
    }

    /// A hash of the rule set's rules (their places and texts) and options, 16 hex digits:
    /// tells two deployments' sets apart (FNV-1a, not secret).
    static func hash(of ruleSet: CompiledRuleSet) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
        }
        for rule in ruleSet.file.rules {
            add(rule.location.fileAndLine)
            add(" \(rule.source)\n")
        }
        add(String(describing: ruleSet.options))
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension EngineMetrics: DNSListObserver {
    /// Counts a query of `list` by its outcome, and its duration in the list's histogram.
    public func dnsListQueried(_ list: String, outcome: DNSListQueryOutcome, duration: Duration) {
        dnsQueries[[list, outcome.rawValue]].increment()
        let parts = duration.components
        dnsLookups[list].recordNanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }

    /// Counts a check of `list` answered from the cache.
    public func dnsListCacheHit(_ list: String) { dnsCacheHits[list].increment() }
}

extension EngineMetrics: StoreObserver {
    /// Counts a store call by backend and outcome; an answer closes the Redis breaker's
    /// gauge, a call the breaker refused opens it.
    public func storeCall(backend: StoreBackend, outcome: StoreCallOutcome) {
        storeCalls[[backend.rawValue, outcome.rawValue]].increment()
        switch outcome {
        case .ok: breakerOpen[backend].record(0)
        case .unavailable where backend == .redis: breakerOpen[backend].record(1)
        default: break
        }
    }

    /// Counts a limit found exceeded.
    public func limitExceeded(_ limit: String) { limitsExceeded[limit].increment() }
}
