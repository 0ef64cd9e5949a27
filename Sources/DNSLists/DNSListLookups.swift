import Logging
import Synchronization

/// Looks subjects up in DNS lists: answers from the cache at once, one query per name however
/// many sessions ask for it at the same time, and lists that keep timing out suspended for a
/// while.
///
/// - Cache: see ``DNSAnswerCache`` (TTL honoured, capped; failures not kept).
/// - Coalescing: while a name is being looked up, further checks of it wait for the same
///   answer instead of sending another query.
/// - Suspension: after ``Policy/suspendAfterTimeouts`` timeouts in a row from one list, its
///   checks answer ``DNSListUnknown/suspended`` for ``Policy/suspension`` without a query
///   (logged); then the next check asks again: an answer brings the list back (logged), a
///   timeout suspends it again at once.
/// - A list that refuses the resolver (Spamhaus's 127.255.255.252/254/255) is never taken
///   as listing anyone; it is logged at most once per hour per list, with what to do.
/// - A list that answers every name (``EveryNameCheck``, every
///   ``Policy/everyNameCheckInterval``) answers ``DNSListUnknown/answersEveryName`` until
///   it stops; logged at most once per hour per list.
public final class DNSListLookups: Sendable {
    /// The bounds and thresholds.
    public struct Policy: Sendable {
        /// The cache's bounds.
        var cache = DNSAnswerCache.Bounds()
        /// Timeouts in a row that suspend a list.
        public var suspendAfterTimeouts = 5
        /// How long a list stays suspended.
        public var suspension: Duration = .seconds(60)
        /// How long a refused-resolver warning stays quiet for its list.
        public var refusedWarningInterval: Duration = .seconds(3600)
        /// How often a list is checked for answering every name (at its first lookup of a
        /// kind, then at most this often); nil checks never.
        public var everyNameCheckInterval: Duration? = .seconds(600)
        /// Where queries and cache hits are counted; nil for nowhere.
        public var observer: (any DNSListObserver)?

        /// Cache entries at most.
        public var maximumCacheEntries: Int {
            get { cache.maximumEntries }
            set { cache.maximumEntries = newValue }
        }
        /// The longest a positive answer is kept.
        public var maximumTTL: Duration {
            get { cache.maximumTTL }
            set { cache.maximumTTL = newValue }
        }
        /// The longest a negative answer is kept.
        public var maximumNegativeTTL: Duration {
            get { cache.maximumNegativeTTL }
            set { cache.maximumNegativeTTL = newValue }
        }

        /// The defaults: 100,000 cache entries, TTLs capped at 1 h (15 min negative), 5
        /// timeouts in a row suspend a list for 60 s.
        public init() {}
    }

    private struct ListHealth {
        var timeoutsInARow = 0
        var suspendedUntil: ContinuousClock.Instant?
        var refusedWarned: ContinuousClock.Instant?
        var everyName: [DNSListSubjectKind: EveryNameCheck] = [:]
    }

    private struct State {
        var cache: DNSAnswerCache
        var waiting: [DNSAnswerCache.Key: [@Sendable (DNSAnswer) -> Void]] = [:]
        var health: [String: ListHealth] = [:]
    }

    private let service: any DNSLookupService
    private let policy: Policy
    private let logger: Logger
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    /// Lookups through `service`, bounded as `policy` says, logging to `logger`; `now` is
    /// the clock (a dry-run may simulate time).
    public init(
        service: any DNSLookupService, policy: Policy = Policy(), logger: Logger,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.service = service
        self.policy = policy
        self.logger = logger
        self.now = now
        state = Mutex(State(cache: DNSAnswerCache(bounds: policy.cache)))
    }

    /// Number of answers in the cache.
    public var cachedCount: Int { state.withLock { $0.cache.count } }

    /// The result for `subject` in `list` when it is known without waiting (cached answers,
    /// a suspended list, a subject that is not looked up); nil when a lookup is needed.
    public func knownResult(_ list: DNSList, _ subject: DNSListSubject, wantsText: Bool) -> DNSListResult? {
        guard let name = subject.queryName(in: list) else { return .notLookedUp }
        // Here, not only in check(): serve asks this first and calls check() only when it
        // says nil, so a list found answering every name would never be checked again.
        checkEveryNameIfDue(list, subject.kind)
        let at = now()
        return state.withLock { state -> DNSListResult? in
            if let until = state.health[list.name]?.suspendedUntil, until > at { return .unknown(.suspended) }
            if let check = state.health[list.name]?.everyName[subject.kind] {
                if check.answersEveryName { return .unknown(.answersEveryName) }
                if check.holdsResults { return nil }
            }
            guard let answer = state.cache.answer(for: .init(name: name, type: .a), at: at) else { return nil }
            policy.observer?.dnsListCacheHit(list.name)
            let result = classify(answer, list: list, state: &state, at: at)
            guard wantsText, case .listed(let codes, _) = result else { return result }
            guard let text = state.cache.answer(for: .init(name: name, type: .txt), at: at) else { return nil }
            return .listed(codes: codes, text: Self.firstText(text))
        }
    }

    /// Looks `subject` up in `list`; `completion` gets the result once, at once when it is
    /// known (see ``knownResult(_:_:wantsText:)``), else on the lookup service's thread.
    /// With `wantsText`, a listed subject's TXT record is looked up too.
    public func check(
        _ list: DNSList, _ subject: DNSListSubject, wantsText: Bool,
        completion: @escaping @Sendable (DNSListResult) -> Void
    ) {
        guard let name = subject.queryName(in: list) else { return completion(.notLookedUp) }
        let kind = subject.kind
        // A result goes out once the list's first every-name check is in, and is unknown
        // if that found the list answering every name.
        let deliver: @Sendable (DNSListResult) -> Void = { [self] result in
            afterFirstEveryNameCheck(list, kind) { answersEveryName in
                completion(answersEveryName ? .unknown(.answersEveryName) : result)
            }
        }
        if let known = knownResult(list, subject, wantsText: wantsText) { return deliver(known) }
        query(name, .a, list: list) { [self] answer in
            let result = state.withLock { state in classify(answer, list: list, state: &state, at: now()) }
            guard wantsText, case .listed(let codes, _) = result else { return deliver(result) }
            query(name, .txt, list: list) { text in deliver(.listed(codes: codes, text: Self.firstText(text))) }
        }
    }

    /// Runs `body` now, or when `list`'s first every-name check for `kind` is in, with
    /// whether the list answers every name.
    private func afterFirstEveryNameCheck(_ list: DNSList, _ kind: DNSListSubjectKind, _ body: @escaping @Sendable (Bool) -> Void) {
        let now: Bool? = state.withLock { state in
            guard let check = state.health[list.name]?.everyName[kind] else { return false }
            if check.holdsResults {
                state.health[list.name]!.everyName[kind]!.waiting.append { [self] in
                    body(self.state.withLock { $0.health[list.name]?.everyName[kind]?.answersEveryName ?? false })
                }
                return nil
            }
            return check.answersEveryName
        }
        if let now { body(now) }
    }

    /// Asks the service for `name`, or joins a query for it under way; stores the answer.
    private func query(_ name: String, _ type: DNSRecordType, list: DNSList, completion: @escaping @Sendable (DNSAnswer) -> Void) {
        let key = DNSAnswerCache.Key(name: name, type: type)
        let at = now()
        enum Next {
            case answered(DNSAnswer)
            case wait
            case ask
        }
        let next: Next = state.withLock { state in
            if let cached = state.cache.answer(for: key, at: at) { return .answered(cached) }
            if state.waiting[key] != nil {
                state.waiting[key]!.append(completion)
                return .wait
            }
            state.waiting[key] = [completion]
            return .ask
        }
        switch next {
        case .answered(let answer): return completion(answer)
        case .wait: return
        case .ask: break
        }
        let asked = ContinuousClock.now
        service.lookup(name, type) { [self] answer in
            if type == .a, let observer = policy.observer {
                observer.dnsListQueried(list.name, outcome: DNSListQueryOutcome(answer, list: list), duration: ContinuousClock.now - asked)
            }
            let waiting = state.withLock { state in
                state.cache.store(answer, for: key, at: now())
                record(answer, list: list, state: &state)
                return state.waiting.removeValue(forKey: key) ?? []
            }
            for waiter in waiting { waiter(answer) }
        }
    }

    /// Asks `list` for a name of `kind` no list holds, when that is due (see ``EveryNameCheck``).
    private func checkEveryNameIfDue(_ list: DNSList, _ kind: DNSListSubjectKind) {
        guard let interval = policy.everyNameCheckInterval else { return }
        let at = now()
        let due = state.withLock { state in
            state.health[list.name, default: ListHealth()].everyName[kind, default: EveryNameCheck()].start(at: at, every: interval)
        }
        guard due else { return }
        let name = kind.nameNoListHolds(in: list.zone)
        service.lookup(name, .a) { [self] answer in
            let waiting = state.withLock { state in
                var check = state.health[list.name]?.everyName[kind] ?? EveryNameCheck()
                check.underWay = false
                check.firstDone = true
                let waiting = check.waiting
                check.waiting = []
                defer { state.health[list.name, default: ListHealth()].everyName[kind] = check }
                let at = now()
                // The codes within the list's that the name got; nil when the check failed.
                let listed: [UInt32]?
                switch answer {
                case .records(let addresses, _, _): listed = addresses.filter { list.codes.classify($0) == .listed }
                case .notFound: listed = []
                case .failed: listed = nil
                }
                if let listed, !listed.isEmpty {
                    check.answersEveryName = true
                    if check.warnedAt.map({ at - $0 >= policy.refusedWarningInterval }) ?? true {
                        check.warnedAt = at
                        logger.error(
                            "DNS list \(list) answers every name: \(name) is listed (\(listed.map(IPv4Text.format).joined(separator: ", "))), which no list may be; its lookups count as unknown until it stops (checked every \(interval.components.seconds / 60) min). Check the list's zone name and whether it still exists"
                        )
                    }
                } else if listed != nil {
                    if check.answersEveryName { logger.notice("DNS list \(list) no longer answers every name") }
                    check.answersEveryName = false
                }
                return waiting
            }
            for result in waiting { result() }
        }
    }

    /// Counts timeouts in a row and suspends the list at the threshold.
    private func record(_ answer: DNSAnswer, list: DNSList, state: inout State) {
        var health = state.health[list.name] ?? ListHealth()
        if case .failed(.timeout) = answer {
            health.timeoutsInARow += 1
            // A list back from a suspension is on probation: one timeout suspends it again.
            let probing = health.suspendedUntil != nil
            if probing || health.timeoutsInARow >= policy.suspendAfterTimeouts {
                if !probing {
                    logger.warning(
                        "DNS list \(list): \(policy.suspendAfterTimeouts) lookups in a row timed out; not asked for \(policy.suspension.components.seconds) s (its lookups are unknown meanwhile)"
                    )
                }
                health.timeoutsInARow = 0
                health.suspendedUntil = now() + policy.suspension
            }
        } else {
            if health.suspendedUntil != nil { logger.notice("DNS list \(list) answers again") }
            health.timeoutsInARow = 0
            health.suspendedUntil = nil
        }
        state.health[list.name] = health
    }

    /// What `answer` says under `list`'s codes; warns of a refused resolver.
    private func classify(_ answer: DNSAnswer, list: DNSList, state: inout State, at: ContinuousClock.Instant) -> DNSListResult {
        switch answer {
        case .records(let addresses, _, _):
            var listed: [UInt32] = [], refused: UInt32?
            for address in addresses {
                switch list.codes.classify(address) {
                case .listed: listed.append(address)
                case .resolverRefused: refused = address
                case .notListed: break
                }
            }
            if let refused {
                warnRefused(list, code: refused, state: &state, at: at)
                return .unknown(.resolverRefused(refused))
            }
            return listed.isEmpty ? .notListed : .listed(codes: listed.sorted(), text: nil)
        case .notFound: return .notListed
        case .failed(let failure): return .unknown(.failed(failure))
        }
    }

    private func warnRefused(_ list: DNSList, code: UInt32, state: inout State, at: ContinuousClock.Instant) {
        if let last = state.health[list.name]?.refusedWarned, at - last < policy.refusedWarningInterval { return }
        state.health[list.name, default: ListHealth()].refusedWarned = at
        logger.warning(
            "DNS list \(list) refuses this resolver (answer \(IPv4Text.format(code))): no lookup in it counts as listed. Query it through a local recursive resolver (e.g. unbound on 127.0.0.1, `set resolver`) rather than a public or forwarding one, and check the list's terms of use"
        )
    }

    /// The first text of a TXT answer, cut to 512 bytes; nil for anything else.
    private static func firstText(_ answer: DNSAnswer) -> String? {
        guard case .records(_, let texts, _) = answer, let first = texts.first else { return nil }
        return first.utf8.count <= 512 ? first : String(decoding: first.utf8.prefix(512), as: UTF8.self)
    }
}
