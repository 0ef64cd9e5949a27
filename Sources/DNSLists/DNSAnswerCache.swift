/// Answers kept for as long as their TTL says, within bounds: a positive answer at most
/// ``Bounds/maximumTTL``, a negative one (NXDOMAIN, NODATA) its SOA's negative TTL or
/// ``Bounds/negativeTTL`` when it had none, at most ``Bounds/maximumNegativeTTL``. Failures
/// (timeouts, SERVFAIL) are not kept: the next lookup asks again. At most
/// ``Bounds/maximumEntries`` entries; when full, expired ones go first, then the oldest.
///
/// Not thread-safe: its owner guards it.
struct DNSAnswerCache {
    /// The limits.
    struct Bounds: Sendable {
        var maximumTTL: Duration = .seconds(3600)
        var negativeTTL: Duration = .seconds(300)
        var maximumNegativeTTL: Duration = .seconds(900)
        var maximumEntries = 100_000
    }

    /// What a lookup is kept under.
    struct Key: Hashable {
        var name: String
        var type: DNSRecordType
    }

    private struct Entry {
        var answer: DNSAnswer
        var expires: ContinuousClock.Instant
    }

    let bounds: Bounds
    private var entries: [Key: Entry] = [:]
    /// Keys in the order they were first stored, for eviction.
    private var order: [Key] = []
    private var orderStart = 0

    init(bounds: Bounds) {
        self.bounds = bounds
    }

    /// Number of entries kept (expired ones included until they are dropped).
    var count: Int { entries.count }

    /// The answer kept for `key`, unless it expired.
    func answer(for key: Key, at now: ContinuousClock.Instant) -> DNSAnswer? {
        guard let entry = entries[key], entry.expires > now else { return nil }
        return entry.answer
    }

    /// Keeps `answer` for `key` for as long as it may be believed (nothing for a failure or
    /// a TTL of 0).
    mutating func store(_ answer: DNSAnswer, for key: Key, at now: ContinuousClock.Instant) {
        let lifetime: Duration
        switch answer {
        case .records(_, _, let ttl): lifetime = min(.seconds(Int64(ttl)), bounds.maximumTTL)
        case .notFound(let ttl): lifetime = min(ttl.map { .seconds(Int64($0)) } ?? bounds.negativeTTL, bounds.maximumNegativeTTL)
        case .failed: return
        }
        guard lifetime > .zero, bounds.maximumEntries > 0 else { return }
        let isNew = entries[key] == nil
        if isNew && entries.count >= bounds.maximumEntries { makeRoom(at: now) }
        entries[key] = Entry(answer: answer, expires: now + lifetime)
        // A key is in `order` once, where it was first stored (its place when evicting).
        if isNew { order.append(key) }
    }

    /// Drops expired entries; when none had, the oldest stored.
    private mutating func makeRoom(at now: ContinuousClock.Instant) {
        let before = entries.count
        entries = entries.filter { $0.value.expires > now }
        if entries.count < before {
            order = order[orderStart...].filter { entries[$0] != nil }
            orderStart = 0
            return
        }
        while orderStart < order.count, entries.count >= bounds.maximumEntries {
            entries[order[orderStart]] = nil
            orderStart += 1
        }
        if orderStart > order.count / 2 {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
