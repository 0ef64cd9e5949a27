import DNSLists
#if canImport(FoundationEssentials)
    import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
    import Foundation
#endif

/// A rules file compiled: one matcher per stage, the options, and hit counters.
/// Immutable and shareable; sessions keep the set they started with across reloads.
public final class CompiledRuleSet: Sendable {
    /// The parsed file.
    public let file: RuleFile
    /// Every rule in file order.
    public let rules: [CompiledRule]
    /// How often each rule decided.
    public let hits: HitCounters
    /// When it was loaded.
    public let loadedAt: Date
    /// What `check` warns about and `serve` logs at load: regexes of catastrophic shape.
    public let warnings: [RuleWarning]
    private let matchers: [Stage: any StageMatcher]
    /// Each stage's evaluation over its matcher, shared by every session of the set.
    let stageEvaluations: StageEvaluations
    /// The combined rules (and those on session facts), in file order: evaluated by their
    /// terms' values at each point of the session, not by a stage matcher.
    public let combinedRules: [CompiledRule]
    /// The lists of each stage's `listed` terms (see ``dnsLists(at:)``).
    private let dnsListsByStage: [Stage: [DNSList]]
    /// The dynamic lists by name.
    private let dynlistsByName: [String: DynlistDeclaration]
    /// The lists of `header NAME listed` terms, by the header's lowercased name.
    private let headerDNSLists: [[UInt8]: [DNSList]]
    /// The lists whose listings are looked up for their TXT record (see ``wantsText(_:)``).
    private let listsWantingText: Set<String>
    /// Whether a rule scores or looks at the score (decisions carry the score then).
    public let usesScores: Bool
    /// Whether messages are held back until their verdict is known: some message-stage
    /// rule junks or adds a header (known only after the lines it looks at), and
    /// neither `set hold-limit` nor `set hold-total` is 0. Worked out once: the adapters ask at every line.
    public let holdsMessages: Bool
    /// Whether some envelope-stage rule adds a header to messages (`add-header` at connect
    /// … rcpt): the message lines then pass through the filter, even without message rules.
    public let addsHeadersFromEnvelope: Bool
    /// How many entries each list file read by the rules has, by its path as read (relative
    /// paths resolved from the rules file's directory): a reload compares them with the set
    /// in force (see ``shrunkLists(since:)``).
    public let listEntryCounts: [String: Int]

    /// Builds the set; `matcherFactory` makes each stage's matcher (sequential by default).
    convenience init(
        file: RuleFile, rules: [CompiledRule], hits: HitCounters, warnings: [RuleWarning] = [],
        listEntryCounts: [String: Int] = [:],
        matcherFactory: ([CompiledRule]) -> any StageMatcher = { SequentialStageMatcher(rules: $0) }
    ) {
        var matchers: [Stage: any StageMatcher] = [:]
        for stage in Stage.allCases {
            let stageRules = rules.filter { $0.isPlain && $0.rule.stage == stage }
            if !stageRules.isEmpty { matchers[stage] = matcherFactory(stageRules) }
        }
        self.init(
            file: file, rules: rules, hits: hits, warnings: warnings, listEntryCounts: listEntryCounts,
            matchers: matchers)
    }

    /// Builds the set over matchers already made (the same rules with other options).
    private init(
        file: RuleFile, rules: [CompiledRule], hits: HitCounters, warnings: [RuleWarning],
        listEntryCounts: [String: Int], matchers: [Stage: any StageMatcher]
    ) {
        self.file = file
        self.rules = rules
        self.hits = hits
        self.warnings = warnings
        self.listEntryCounts = listEntryCounts
        self.loadedAt = Date()
        self.matchers = matchers
        self.stageEvaluations = StageEvaluations(matchers: matchers, options: file.options, hits: hits)
        self.combinedRules = rules.filter { !$0.isPlain }
        var dnsLists: [Stage: [DNSList]] = [:]
        for rule in combinedRules {
            for term in rule.combined?.terms ?? [] {
                if case .dnsList(let list) = term.predicate, !(dnsLists[term.stage] ?? []).contains(list) {
                    dnsLists[term.stage, default: []].append(list)
                }
            }
        }
        self.dnsListsByStage = dnsLists
        var headerLists: [[UInt8]: [DNSList]] = [:]
        for rule in combinedRules {
            for term in rule.combined?.terms ?? [] where term.stage == .header {
                if case .dnsList(let list) = term.predicate, let name = term.headerName,
                    !(headerLists[name] ?? []).contains(list)
                {
                    headerLists[name, default: []].append(list)
                }
            }
        }
        self.headerDNSLists = headerLists
        self.dynlistsByName = Dictionary(file.options.dynlists.map { ($0.name, $0) }) { first, _ in first }
        var wantingText: Set<String> = []
        for rule in combinedRules where rule.rule.template?.usesListText == true {
            for term in rule.combined?.terms ?? [] {
                if case .dnsList(let list) = term.predicate { wantingText.insert(list.name) }
            }
        }
        self.listsWantingText = wantingText
        self.usesScores = rules.contains { rule in
            if case .score = rule.rule.action { return true }
            return rule.rule.terms.contains { $0.stage == .score }
        }
        // A combined rule with a message term can become true at a message stage, and a
        // tagging rule on the score is tried at the end of the message only.
        self.holdsMessages =
            file.options.holdLimit > 0 && file.options.holdTotal > 0
            && rules.contains { compiled in
                guard compiled.rule.terms.contains(where: { $0.stage.isMessageStage }) || Self.tagsAtMessageEnd(compiled.rule)
                else { return false }
                if case .junk = compiled.rule.action { return true }
                return compiled.rule.action.addsHeader
            }
        self.addsHeadersFromEnvelope = rules.contains { compiled in
            compiled.rule.action.addsHeader && compiled.rule.terms.contains { !$0.stage.isMessageStage }
                && !Self.tagsAtMessageEnd(compiled.rule)
        }
    }

    /// The options of the file.
    public var options: RuleOptions { file.options }

    /// The matcher of `stage`, nil when the stage has no rules.
    public func matcher(for stage: Stage) -> (any StageMatcher)? { matchers[stage] }

    /// How many rules each stage has.
    public func ruleCount(of stage: Stage) -> Int { matchers[stage]?.rules.count ?? 0 }

    /// Whether any rule looks at message data (the filter then routes data through itself).
    public var hasMessageRules: Bool {
        rules.contains { $0.rule.terms.contains { $0.stage.isMessageStage } || Self.tagsAtMessageEnd($0.rule) }
    }

    /// Whether `rule` tags (junk, add-header, warn, score) on the score: it is tried at the
    /// end of the message only, with the final score (see CombinedRuleState).
    static func tagsAtMessageEnd(_ rule: Rule) -> Bool {
        !rule.action.isFinal && rule.terms.contains { $0.stage == .score }
    }

    /// The DNS lists whose `listed` terms look up `stage`'s input, each once, in file order.
    public func dnsLists(at stage: Stage) -> [DNSList] { dnsListsByStage[stage] ?? [] }

    /// The lists whose `header NAME listed` terms look up the domains of the headers
    /// named `lowercasedName`, each once, in file order.
    func dnsLists(forHeader lowercasedName: [UInt8]) -> [DNSList] { headerDNSLists[lowercasedName] ?? [] }

    /// Whether `header NAME listed` or `body links listed` terms look up domains the
    /// message names.
    public var looksUpMessageDomains: Bool { !headerDNSLists.isEmpty || !dnsLists(at: .body).isEmpty }

    /// Whether the rules keep anything in the store: limits, dynamic lists, greylisting.
    public var usesStore: Bool {
        !options.rateLimits.isEmpty || !options.dynlists.isEmpty
            || rules.contains { if case .greylist = $0.rule.action { return true } else { return false } }
    }

    /// The dynamic list declared as `name`.
    public func dynlist(named name: String) -> DynlistDeclaration? { dynlistsByName[name] }

    /// Whether a rule with a `listed` term on `list` says `$txt`: a listing there is looked
    /// up for its TXT record too.
    public func wantsText(_ list: DNSList) -> Bool { listsWantingText.contains(list.name) }

    /// Whether some rule has a term of `stage` (plain or combined).
    public func hasTerms(of stage: Stage) -> Bool {
        ruleCount(of: stage) > 0 || combinedRules.contains { $0.rule.terms.contains { $0.stage == stage } }
    }

    /// Whether some rule looks at the inputs of `stage`: a term of it other than a limit or
    /// a dynamic list (`body over bytes` counts at the end of the message from its size, and
    /// needs no line of it decoded).
    public func readsInputs(of stage: Stage) -> Bool {
        ruleCount(of: stage) > 0
            || combinedRules.contains { $0.rule.terms.contains { $0.stage == stage && !$0.pattern.looksAtSessionKeys } }
    }

    /// The stages' prefiltered matchers (none when the set was compiled ``StageMatching/sequential``).
    public var prefilteredMatchers: [PrefilteredStageMatcher] {
        Stage.allCases.compactMap { matchers[$0] as? PrefilteredStageMatcher }
    }

    /// Whether every stage that has a prefilter has finished building it (in success or not).
    public var prefiltersAreBuilt: Bool {
        prefilteredMatchers.allSatisfy(\.isComplete)
    }

    /// Waits until the prefilters of every stage have been built (or have failed to be).
    public func waitForPrefilters() {
        for matcher in prefilteredMatchers { matcher.waitUntilBuilt() }
    }

    /// Waits until the prefilter of every stage is live (its first step: the literal stage
    /// and the regex parts at hand; the parts to compile go live later) or cannot be, unless
    /// `giveUp` answers true first (it is asked every 50 ms); whether they all ended.
    public func waitForLivePrefilters(unless giveUp: () -> Bool) -> Bool {
        for matcher in prefilteredMatchers {
            while !matcher.waitUntilLive(timeout: 0.05) {
                if giveUp() { return false }
            }
        }
        return true
    }

    /// The list files that have less than half the entries they had in `previous` (the set
    /// in force before a reload), as `list file PATH has N entries, was M at the last load`,
    /// by path: a list cut short but not to nothing loads, and this says so.
    public func shrunkLists(since previous: CompiledRuleSet) -> [String] {
        listEntryCounts.sorted { $0.key < $1.key }.compactMap { path, count in
            guard let was = previous.listEntryCounts[path], count * 2 < was else { return nil }
            return "list file \(path) has \(count) \(count == 1 ? "entry" : "entries"), was \(was) at the last load"
        }
    }

    /// Hit counts of every rule, in file order.
    public var hitReport: [(rule: Rule, hits: Int)] {
        let counts = hits.snapshot
        return rules.map { ($0.rule, counts[$0.index]) }
    }
}

extension CompiledRuleSet {
    /// The same rules, matchers and counters with another scan limit (the command line's `-l`).
    public func withScanLimit(_ limit: Int) -> CompiledRuleSet {
        var file = self.file
        file.options.scanLimit = limit
        return CompiledRuleSet(
            file: file, rules: rules, hits: hits, warnings: warnings, listEntryCounts: listEntryCounts,
            matchers: matchers)
    }

    /// The same rules, matchers and counters in another mode (serve's `--mode`).
    public func withMode(_ mode: EnforcementMode) -> CompiledRuleSet {
        var file = self.file
        file.options.mode = mode
        return CompiledRuleSet(
            file: file, rules: rules, hits: hits, warnings: warnings, listEntryCounts: listEntryCounts,
            matchers: matchers)
    }
}
