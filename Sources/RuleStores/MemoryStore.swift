import Logging
import Synchronization

/// The embedded store (`set store memory`, the default): limits' TATs and dynamic lists'
/// entries in the filter's memory, shared by every session of the process, bounded in keys.
///
/// Expired keys (a TAT behind the clock, a list entry past its time to live) hold nothing
/// and are dropped: when the store is full, a sweep removes them (at most once a second);
/// if it is still full, a new key is not kept and its answer is unknown, which no rule
/// takes as a match (logged at most once a minute). Keys already kept go on being counted.
public final class MemoryStore: Sendable {
    private struct State {
        /// Per limit name: each key's theoretical arrival time (ms).
        var limits: [String: [String: Double]] = [:]
        /// Per list name: each key's expiry (ms since the epoch).
        var lists: [String: [String: Int64]] = [:]
        /// Greylisting's triplets: when each was first seen, and until when it passes.
        var greylist: [String: GreylistEntry] = [:]
        var keyCount = 0
        var maximumKeys: Int
        var lastSweep: Int64?
        var lastFullWarning: Int64?
    }

    /// The most keys kept, limits' and lists' together (`set store-keys`; a reload may
    /// change it).
    public var maximumKeys: Int {
        get { state.withLock { $0.maximumKeys } }
        set { state.withLock { $0.maximumKeys = newValue } }
    }
    private let state: Mutex<State>
    private let logger: Logger

    /// The default bound: a million keys (about 50 MB of limit keys, 100 MB of list keys,
    /// 210 MB of greylisting triplets; BENCHMARKS.md).
    public static let defaultMaximumKeys = 1_000_000

    /// An empty store of at most `maximumKeys` keys, logging to `logger`.
    public init(maximumKeys: Int = MemoryStore.defaultMaximumKeys, logger: Logger) {
        self.state = Mutex(State(maximumKeys: maximumKeys))
        self.logger = logger
    }

    /// How many keys are kept.
    public var keyCount: Int { state.withLock { $0.keyCount } }

    /// Counts an event of `cost` for `key` against the limit `name` at `rate`: whether it
    /// puts the key over; nil when the store is full and the key new.
    public func take(limit name: String, key: String, cost: Int = 1, rate: Rate, now: Int64) -> Bool? {
        let key = StoreKey.bounded(key)
        return state.withLock { state -> Bool? in
            let tat = state.limits[name]?[key]
            if tat == nil, !makeRoom(&state, now: now) { return nil }
            let outcome = GCRA.take(tat: tat, now: now, cost: cost, rate: rate)
            if tat == nil { state.keyCount += 1 }
            state.limits[name, default: [:]][key] = outcome.tat
            return outcome.isOver
        }
    }

    /// Whether `key` is on the list `name` at `now`.
    public func contains(list name: String, key: String, now: Int64) -> Bool {
        let key = StoreKey.bounded(key)
        return state.withLock { state in
            guard let expiry = state.lists[name]?[key] else { return false }
            return expiry > now
        }
    }

    /// Puts `key` on the list `name` until `now + ttl` (a key already on it gets the new
    /// time); false when the store is full and the key new.
    @discardableResult
    public func add(list name: String, key: String, ttlMilliseconds: Int64, now: Int64) -> Bool {
        let key = StoreKey.bounded(key)
        return state.withLock { state in
            let known = state.lists[name]?[key] != nil
            if !known, !makeRoom(&state, now: now) { return false }
            if !known { state.keyCount += 1 }
            state.lists[name, default: [:]][key] = now + ttlMilliseconds
            return true
        }
    }

    /// Takes `key` off the list `name`.
    public func remove(list name: String, key: String) {
        let key = StoreKey.bounded(key)
        state.withLock { state in
            if state.lists[name]?.removeValue(forKey: key) != nil { state.keyCount -= 1 }
        }
    }

    /// Greylisting (see ``Greylisting``): whether the triplet `key` passes at `now`;
    /// nil when the store is full and the triplet new.
    public func greylist(_ key: String, now: Int64, policy: Greylisting) -> GreylistOutcome? {
        let key = StoreKey.bounded(key)
        return state.withLock { state -> GreylistOutcome? in
            let entry = state.greylist[key]
            if entry == nil, !makeRoom(&state, now: now) { return nil }
            let (outcome, next) = policy.decide(entry, now: now)
            if entry == nil { state.keyCount += 1 }
            state.greylist[key] = next
            return outcome
        }
    }

    /// What the store holds, as the state file keeps it.
    struct Snapshot: Equatable, Sendable {
        var limits: [String: [String: Double]] = [:]
        var lists: [String: [String: Int64]] = [:]
        var greylist: [String: GreylistEntry] = [:]

        /// How many keys it holds.
        var count: Int { limits.values.map(\.count).reduce(0, +) + lists.values.map(\.count).reduce(0, +) + greylist.count }
    }

    /// Writes the keys that hold something at `now` to the state file `path` (see
    /// ``StateFile``); returns how many. The store is copied under its lock and written
    /// without it.
    @discardableResult
    public func save(to path: String, now: Int64) throws(StateFileError) -> Int {
        var snapshot = state.withLock { Snapshot(limits: $0.limits, lists: $0.lists, greylist: $0.greylist) }
        for name in snapshot.limits.keys { snapshot.limits[name]!.filterInPlace { $0.value > Double(now) } }
        for name in snapshot.lists.keys { snapshot.lists[name]!.filterInPlace { $0.value > now } }
        snapshot.greylist.filterInPlace { $0.value.expiry > now }
        try StateFile.write(StateFile.encode(snapshot), to: path)
        return snapshot.count
    }

    /// How far from now a time read from the state file may lie: ten years, in milliseconds.
    static let stateHorizon: Int64 = 10 * 366 * 24 * 3600 * 1000

    /// Reads the state file `path` into the store: the keys of the limits and lists named
    /// (a file written under other rules keeps only what still has a name) and the
    /// greylisting triplets, that hold something at `now` and fit the bound; returns how
    /// many. No file is no keys; a file that cannot be read or is not one throws, and the
    /// store is left as it was.
    @discardableResult
    public func load(from path: String, now: Int64, limits: Set<String>, lists: Set<String>) throws(StateFileError) -> Int {
        guard let bytes = try StateFile.read(path) else { return 0 }
        let snapshot = try StateFile.decode(bytes)
        // Times no rules could have written (more than the horizon away from now, a first
        // attempt in the future) are left out: a hand-edited or corrupt file must neither
        // ban a key for good nor overflow greylisting's arithmetic later.
        let latest = now + Self.stateHorizon, earliest = now - Self.stateHorizon
        func plausible(_ entry: GreylistEntry) -> Bool {
            entry.expiry > now && entry.expiry <= latest && entry.firstSeen >= earliest && entry.firstSeen <= now
                && (entry.passUntil.map { $0 <= latest } ?? true)
        }
        return state.withLock { state in
            var loaded = 0
            func fits() -> Bool { state.keyCount < state.maximumKeys }
            for (name, keys) in snapshot.limits where limits.contains(name) {
                for (key, tat) in keys where tat > Double(now) && tat <= Double(latest) && fits() && state.limits[name]?[key] == nil {
                    state.limits[name, default: [:]][key] = tat
                    state.keyCount += 1
                    loaded += 1
                }
            }
            for (name, keys) in snapshot.lists where lists.contains(name) {
                for (key, expiry) in keys where expiry > now && expiry <= latest && fits() && state.lists[name]?[key] == nil {
                    state.lists[name, default: [:]][key] = expiry
                    state.keyCount += 1
                    loaded += 1
                }
            }
            for (key, entry) in snapshot.greylist where plausible(entry) && fits() && state.greylist[key] == nil {
                state.greylist[key] = entry
                state.keyCount += 1
                loaded += 1
            }
            return loaded
        }
    }

    /// Keeps only the limits and lists named (a reload keeps what a limit or list that
    /// kept its name has counted; the rest goes).
    public func keep(limits: Set<String>, lists: Set<String>) {
        state.withLock { state in
            for name in state.limits.keys where !limits.contains(name) {
                state.keyCount -= state.limits.removeValue(forKey: name)?.count ?? 0
            }
            for name in state.lists.keys where !lists.contains(name) {
                state.keyCount -= state.lists.removeValue(forKey: name)?.count ?? 0
            }
        }
    }

    /// Whether a new key fits: at the bound, expired keys are swept first (at most once a
    /// second), and a store still full says no (logged at most once a minute).
    private func makeRoom(_ state: inout State, now: Int64) -> Bool {
        let maximumKeys = state.maximumKeys
        if state.keyCount < maximumKeys { return true }
        if state.lastSweep.map({ now - $0 >= 1000 }) ?? true {
            state.lastSweep = now
            sweep(&state, now: now)
            if state.keyCount < maximumKeys { return true }
        }
        if state.lastFullWarning.map({ now - $0 >= 60_000 }) ?? true {
            state.lastFullWarning = now
            logger.warning(
                "the store is full (\(maximumKeys) keys, none expired): new keys are not counted, their terms are unknown (no match) until keys expire; raise set store-keys if this is normal traffic"
            )
        }
        return false
    }

    /// Drops every expired key.
    private func sweep(_ state: inout State, now: Int64) {
        var removed = 0
        for name in state.limits.keys {
            let before = state.limits[name]!.count
            state.limits[name]!.filterInPlace { $0.value > Double(now) }
            removed += before - state.limits[name]!.count
        }
        for name in state.lists.keys {
            let before = state.lists[name]!.count
            state.lists[name]!.filterInPlace { $0.value > now }
            removed += before - state.lists[name]!.count
        }
        let before = state.greylist.count
        state.greylist.filterInPlace { $0.value.expiry > now }
        removed += before - state.greylist.count
        state.keyCount -= removed
    }
}

extension Dictionary {
    /// Keeps the entries `isIncluded` says.
    fileprivate mutating func filterInPlace(_ isIncluded: (Element) -> Bool) {
        self = filter(isIncluded)
    }
}
