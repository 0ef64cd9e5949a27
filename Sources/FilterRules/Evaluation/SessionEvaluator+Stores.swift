import DNSLists
import RuleStores

/// Where a session's limits and dynamic lists are kept: a store shared by the sessions of
/// a process (or of a dry-run), and the clock it counts by (a dry-run may move it).
public struct RuleStoreAccess: Sendable {
    /// The embedded store, which answers at once; nil for a remote store, whose calls the
    /// engine makes while a step waits (see ``SessionEvaluator/pendingStoreCall``).
    public let store: MemoryStore?
    /// Now, in milliseconds since the epoch.
    public let now: @Sendable () -> Int64

    /// Access to `store` by the clock `now`.
    public init(store: MemoryStore, now: @escaping @Sendable () -> Int64 = WallClock.now) {
        self.store = store
        self.remote = nil
        self.now = now
    }

    /// The remote store whose calls the engine makes; nil for the embedded store.
    public let remote: (any RemoteStore)?
    /// Where the embedded store's calls are counted (a remote store counts its own); nil
    /// for nowhere.
    public var observer: (any StoreObserver)?

    /// A remote store (Redis), or nil for tests that answer the calls themselves: the engine
    /// answers the calls.
    public static func remote(_ store: (any RemoteStore)? = nil, now: @escaping @Sendable () -> Int64 = WallClock.now) -> RuleStoreAccess {
        RuleStoreAccess(remote: store, now: now)
    }

    private init(remote: (any RemoteStore)?, now: @escaping @Sendable () -> Int64) {
        self.store = nil
        self.remote = remote
        self.now = now
    }

    /// A store of one session's own, by the wall clock (tests and tools that give none).
    static func `private`() -> RuleStoreAccess {
        RuleStoreAccess(store: MemoryStore(logger: .init(label: "filter-rules.store")))
    }
}

/// The `over NAME` and `in NAME` terms and the `add-to` and `remove-from` actions, on the
/// session's keys.
extension SessionEvaluator: StoreTermOracle, EvaluationHooks {
    func value(of term: CompiledTerm) -> Bool? {
        switch term.predicate {
        case .limit(let limit):
            guard let key = keys.key(limit.key) else { return nil }
            // A byte limit counts the message's bytes (it is used at its end only).
            let cost = limit.rate.inBytes ? max(message.rawBytes, 1) : 1
            guard case .flag(let over) = ask(.take(limit: limit.name, key: key, cost: cost, rate: limit.rate)) else { return nil }
            return over
        case .dynlist(let list, let seeds):
            guard let key = keys.key(list.key) else { return nil }
            // The seed file's entries are on the list for good; an address key is looked up
            // there as the client's address (the file may hold blocks).
            if let seeds, seeds.contains(Array(key.utf8), address: keys.address) { return true }
            guard case .flag(let listed) = ask(.contains(list: list.name, key: key)) else { return nil }
            return listed
        default:
            return nil
        }
    }

    /// Whether a `greylist` rule defers the recipient being decided (at RCPT; elsewhere it
    /// never does): a triplet seen for the first time, or retried too soon. One whose part is unknown, or that the store cannot
    /// answer for, passes (greylisting fails open).
    func greylists(_ rule: CompiledRule, at stage: Stage) -> Bool {
        guard stage == .rcpt, let triplet = GreylistTriplet.key(keys),
            case .greylist(let outcome) = ask(.greylist(key: triplet, policy: ruleSet.options.greylisting))
        else { return false }
        if case .deferred = outcome { return true }
        return false
    }

    /// Carries out the `add-to` and `remove-from` marks of a step: at once in the embedded
    /// store; for a remote one, kept for the engine (``takeStoreWrites()``).
    func applyStoreMarks(_ marks: [RuleMark]) {
        for mark in marks {
            let write: StoreWrite
            switch mark.kind {
            case .addTo(let name):
                guard let list = ruleSet.dynlist(named: name), let key = keys.key(list.key) else { continue }
                write = .add(list: name, key: key, ttlMilliseconds: list.ttlMilliseconds)
            case .removeFrom(let name):
                guard let list = ruleSet.dynlist(named: name), let key = keys.key(list.key) else { continue }
                write = .remove(list: name, key: key)
            default:
                continue
            }
            if let store = stores.store {
                store.apply(write, now: stores.now())
            } else {
                steps.writes.append(write)
            }
        }
    }

    /// Answers a store call: at once from the embedded store. With a remote one, from the
    /// answers the engine gave for this step; the first call without one is noted as the
    /// one the step waits for (``pendingStoreCall``), and it and every later call of the
    /// run are unknown, so that a call is made only once the rules really reach it.
    func ask(_ call: StoreCall) -> StoreAnswer? {
        if let store = stores.store {
            let answer = store.answer(call, now: stores.now())
            stores.observer?.observe(call, answer, backend: .memory)
            return answer
        }
        if let answer = steps.answers[call] { return answer }
        if steps.pending == nil { steps.pending = call }
        return nil
    }

    // MARK: Steps that wait for a remote store

    /// The store call the step just evaluated waits for (a remote store only): the engine
    /// puts the evaluator back as it was before the step (``restore(_:)``), makes the call,
    /// gives its answer (``setStoreAnswer(_:for:)``) and evaluates the step again. Nil when
    /// the step is complete; its decision is then final.
    public var pendingStoreCall: StoreCall? { steps.pending }

    /// The answer of a store call for the step being evaluated again (nil: the store could
    /// not say, which no rule takes as a match).
    public func setStoreAnswer(_ answer: StoreAnswer?, for call: StoreCall) {
        steps.answers[call] = .some(answer)
    }

    /// The `add-to` and `remove-from` changes of the steps completed since the last call
    /// (a remote store only), for the engine to make.
    public func takeStoreWrites() -> [StoreWrite] {
        defer { steps.writes.removeAll() }
        return steps.writes
    }

    /// The step is complete (its decision final): its answers are forgotten, the hits of
    /// its rules counted and its regex limit hits reported.
    public func stepCompleted() {
        steps.answers.removeAll()
        steps.pending = nil
        steps.underWay = false
        for index in steps.hits { ruleSet.hits.record(index) }
        steps.hits.removeAll()
        let limitHits = steps.limitHits
        steps.limitHits.removeAll()
        for hit in limitHits { onLimitExceeded?(hit.rule, hit.reason) }
    }

    /// The evaluator's state before a step, to evaluate it again; from now until
    /// ``stepCompleted()`` the step's regex limit hits are held back, as its rules' hits are.
    public func checkpoint() -> SessionCheckpoint {
        steps.underWay = true
        return SessionCheckpoint(
            sessionAccepted: sessionAccepted, transactionAccepted: transactionAccepted, closed: closed, message: message,
            sessionEdits: sessionEdits, transactionEdits: transactionEdits, inTransaction: inTransaction,
            factsForNextTransaction: factsForNextTransaction, listings: listings, sessionScore: sessionScore,
            transactionScore: transactionScore, keys: keys, combined: combined.snapshot, writes: steps.writes.count)
    }

    /// Puts the evaluator back as `checkpoint` found it; the answers given for the step stay,
    /// the step's hits and writes go.
    public func restore(_ checkpoint: SessionCheckpoint) {
        sessionAccepted = checkpoint.sessionAccepted
        transactionAccepted = checkpoint.transactionAccepted
        closed = checkpoint.closed
        message = checkpoint.message
        sessionEdits = checkpoint.sessionEdits
        transactionEdits = checkpoint.transactionEdits
        inTransaction = checkpoint.inTransaction
        factsForNextTransaction = checkpoint.factsForNextTransaction
        listings = checkpoint.listings
        sessionScore = checkpoint.sessionScore
        transactionScore = checkpoint.transactionScore
        keys = checkpoint.keys
        combined.restore(checkpoint.combined)
        steps.pending = nil
        steps.hits.removeAll()
        steps.limitHits.removeAll()
        steps.writes.removeLast(max(0, steps.writes.count - checkpoint.writes))
    }

    /// Counts a rule's hit: at once with the embedded store; with a remote one when the
    /// step is complete (an evaluation that waits is done again).
    func recordHit(_ index: Int) {
        if stores.store != nil { ruleSet.hits.record(index) } else { steps.hits.append(index) }
    }

    /// Reports a regex that hit a limit: at once, or once the step it was hit in is complete
    /// (a step evaluated again hits it again, and is reported once).
    func reportLimitHit(_ rule: Rule, _ reason: String) {
        if steps.underWay { steps.limitHits.append((rule, reason)) } else { onLimitExceeded?(rule, reason) }
    }

    /// The firing once the limits it awaits are counted (see CombinedRuleState).
    func resolve(_ firing: CombinedRuleState.Firing) -> CombinedRuleState.Firing? {
        combined.resolve(firing)
    }
}

/// A session's evaluator as it was before a step (see ``SessionEvaluator/checkpoint()``).
public struct SessionCheckpoint {
    fileprivate let sessionAccepted: Rule?
    fileprivate let transactionAccepted: Rule?
    fileprivate let closed: Decision?
    fileprivate let message: MessageScan
    fileprivate let sessionEdits: MessageEdits
    fileprivate let transactionEdits: MessageEdits
    fileprivate let inTransaction: Bool
    fileprivate let factsForNextTransaction: [(Stage, String)]
    fileprivate let listings: [Stage: [String: DNSListResult]]
    fileprivate let sessionScore: ScoreSheet
    fileprivate let transactionScore: ScoreSheet
    fileprivate let keys: SessionKeys
    fileprivate let combined: CombinedRuleState.Snapshot
    fileprivate let writes: Int
}

/// What a step that waits for a remote store has gathered: the answers given, the call it
/// waits for, its rules' hits, its regex limit hits and its writes; and whether it is
/// under way (between ``SessionEvaluator/checkpoint()`` and its completion).
struct StoreStepState {
    var answers: [StoreCall: StoreAnswer?] = [:]
    var pending: StoreCall?
    var hits: [Int] = []
    var limitHits: [(rule: Rule, reason: String)] = []
    var writes: [StoreWrite] = []
    var underWay = false
}
