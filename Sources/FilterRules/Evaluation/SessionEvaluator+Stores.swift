import RuleStores

/// Where a session's limits and dynamic lists are kept: a store shared by the sessions of
/// a process (or of a dry-run), and the clock it counts by (a dry-run may move it).
public struct RuleStoreAccess: Sendable {
    /// The store.
    public let store: MemoryStore
    /// Now, in milliseconds since the epoch.
    public let now: @Sendable () -> Int64

    /// Access to `store` by the clock `now`.
    public init(store: MemoryStore, now: @escaping @Sendable () -> Int64 = WallClock.now) {
        self.store = store
        self.now = now
    }

    /// A store of one session's own, by the wall clock (tests and tools that give none).
    static func `private`() -> RuleStoreAccess {
        RuleStoreAccess(store: MemoryStore(logger: .init(label: "filter-rules.store")))
    }
}

/// The `over NAME` and `in NAME` terms and the `add-to` and `remove-from` actions, on the
/// session's keys.
extension SessionEvaluator: StoreTermOracle {
    func value(of term: CompiledTerm) -> Bool? {
        switch term.predicate {
        case .limit(let limit):
            guard let key = keys.key(limit.key) else { return nil }
            // A byte limit counts the message's bytes (it is used at its end only).
            let cost = limit.rate.inBytes ? max(message.rawBytes, 1) : 1
            return stores.store.take(limit: limit.name, key: key, cost: cost, rate: limit.rate, now: stores.now())
        case .dynlist(let list, let seeds):
            guard let key = keys.key(list.key) else { return nil }
            // The seed file's entries are on the list for good; an address key is looked up
            // there as the client's address (the file may hold blocks).
            if let seeds, seeds.contains(Array(key.utf8), address: keys.address) { return true }
            return stores.store.contains(list: list.name, key: key, now: stores.now())
        default:
            return nil
        }
    }

    /// Whether a `greylist` rule defers the recipient being decided: a triplet seen for the
    /// first time, or retried too soon. One whose part is unknown, or that the store cannot
    /// keep, passes (greylisting fails open).
    func greylists(_ rule: CompiledRule) -> Bool {
        guard let triplet = GreylistTriplet.key(keys),
            let outcome = stores.store.greylist(triplet, now: stores.now(), policy: ruleSet.options.greylisting)
        else { return false }
        if case .deferred = outcome { return true }
        return false
    }

    /// Carries out the `add-to` and `remove-from` marks of a step.
    func applyStoreMarks(_ marks: [RuleMark]) {
        for mark in marks {
            switch mark.kind {
            case .addTo(let name):
                guard let list = ruleSet.dynlist(named: name), let key = keys.key(list.key) else { continue }
                stores.store.add(list: name, key: key, ttlMilliseconds: list.ttlMilliseconds, now: stores.now())
            case .removeFrom(let name):
                guard let list = ruleSet.dynlist(named: name), let key = keys.key(list.key) else { continue }
                stores.store.remove(list: name, key: key)
            default:
                continue
            }
        }
    }
}
