/// One question the rules ask of a store, as the embedded store and a remote one both
/// answer it: each is one atomic check-and-update.
public enum StoreCall: Hashable, Sendable {
    /// Counts an event of `cost` for `key` against the limit `name`: whether it puts the key over.
    case take(limit: String, key: String, cost: Int, rate: Rate)
    /// Whether `key` is on the list `name`.
    case contains(list: String, key: String)
    /// Greylisting's verdict on the triplet `key`.
    case greylist(key: String, policy: Greylisting)
}

/// A store's answer to a ``StoreCall``.
public enum StoreAnswer: Hashable, Sendable {
    /// The answer of ``StoreCall/take(limit:key:cost:rate:)`` (over) and of
    /// ``StoreCall/contains(list:key:)`` (on the list).
    case flag(Bool)
    /// The answer of ``StoreCall/greylist(key:policy:)``.
    case greylist(GreylistOutcome)
}

/// A change the rules make to a store (`add-to`, `remove-from`), whatever the step's answer.
public enum StoreWrite: Hashable, Sendable {
    /// Puts `key` on the list `name` for `ttl` milliseconds.
    case add(list: String, key: String, ttlMilliseconds: Int64)
    /// Takes `key` off the list `name`.
    case remove(list: String, key: String)
}

extension MemoryStore {
    /// Answers `call` at `now`; nil when the store cannot say (full).
    public func answer(_ call: StoreCall, now: Int64) -> StoreAnswer? {
        switch call {
        case .take(let limit, let key, let cost, let rate):
            return take(limit: limit, key: key, cost: cost, rate: rate, now: now).map(StoreAnswer.flag)
        case .contains(let list, let key):
            return .flag(contains(list: list, key: key, now: now))
        case .greylist(let key, let policy):
            return greylist(key, now: now, policy: policy).map(StoreAnswer.greylist)
        }
    }

    /// Carries out `write` at `now`.
    public func apply(_ write: StoreWrite, now: Int64) {
        switch write {
        case .add(let list, let key, let ttl): add(list: list, key: key, ttlMilliseconds: ttl, now: now)
        case .remove(let list, let key): remove(list: list, key: key)
        }
    }
}

/// A store other than the embedded one (Redis): it answers calls asynchronously, on a
/// thread of its own, by a deadline; an answer it cannot give is nil (unknown, which no
/// rule takes as a match).
public protocol RemoteStore: Sendable {
    /// Answers `call`; `completion` runs once, on the store's thread.
    func answer(_ call: StoreCall, completion: @escaping @Sendable (StoreAnswer?) -> Void)
    /// Makes `write`, without waiting for it.
    func apply(_ write: StoreWrite)
    /// What it is, for logs (`redis://127.0.0.1:6379/0`).
    var description: String { get }
}
