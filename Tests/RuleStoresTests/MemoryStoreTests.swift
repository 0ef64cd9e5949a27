#if canImport(Glibc)
    import Glibc
#endif
import Logging
@testable import RuleStores
import Testing
import TestSupport

@Suite("Rule stores: GCRA limits and lists with a time to live in memory")
struct MemoryStoreTests {
    /// 30 per minute: one every 2 s.
    let perMinute = Rate(count: 30, periodMilliseconds: 60_000)

    @Test("a burst of COUNT is admitted at once, then one event per interval; a key at rest is free again")
    func rateAndBurst() {
        let store = MemoryStore(logger: .quiet)
        let now: Int64 = 1_000_000
        let over = (1...31).map { _ in store.take(limit: "l", key: "192.0.2.0/24", rate: perMinute, now: now) }
        #expect(over.prefix(30).allSatisfy { $0 == false })
        #expect(over[30] == true)
        // One interval later (2 s), one more; not two.
        #expect(store.take(limit: "l", key: "192.0.2.0/24", rate: perMinute, now: now + 2000) == false)
        #expect(store.take(limit: "l", key: "192.0.2.0/24", rate: perMinute, now: now + 2000) == true)
        // Another key is counted on its own.
        #expect(store.take(limit: "l", key: "198.51.100.0/24", rate: perMinute, now: now) == false)
        // After a minute at rest, the whole burst again.
        let later = now + 62_000
        #expect((1...30).allSatisfy { _ in store.take(limit: "l", key: "192.0.2.0/24", rate: perMinute, now: later) == false })
    }

    @Test("burst N lets a key spend more at once at the same rate; strict counts refused events too")
    func burstAndStrict() {
        let store = MemoryStore(logger: .quiet)
        let burst = Rate(count: 30, periodMilliseconds: 60_000, burst: 60)
        #expect((1...60).allSatisfy { _ in store.take(limit: "b", key: "k", rate: burst, now: 0) == false })
        #expect(store.take(limit: "b", key: "k", rate: burst, now: 0) == true)
        // Leaky (the default): a client over the rate that waits one interval gets one more.
        let leaky = Rate(count: 1, periodMilliseconds: 1000)
        #expect(store.take(limit: "leaky", key: "k", rate: leaky, now: 0) == false)
        for t in stride(from: Int64(100), through: 900, by: 100) { #expect(store.take(limit: "leaky", key: "k", rate: leaky, now: t) == true) }
        #expect(store.take(limit: "leaky", key: "k", rate: leaky, now: 1000) == false)
        // Strict: the refused attempts count, so one that keeps trying stays over.
        let strict = Rate(count: 1, periodMilliseconds: 1000, strict: true)
        #expect(store.take(limit: "strict", key: "k", rate: strict, now: 0) == false)
        for t in stride(from: Int64(100), through: 900, by: 100) { #expect(store.take(limit: "strict", key: "k", rate: strict, now: t) == true) }
        #expect(store.take(limit: "strict", key: "k", rate: strict, now: 1000) == true)
        // …and is free once it stops for a period past its burst.
        #expect(store.take(limit: "strict", key: "k", rate: strict, now: 4000) == false)
    }

    @Test("a byte rate counts each message's bytes")
    func bytes() {
        let store = MemoryStore(logger: .quiet)
        let fiftyMegabytesAnHour = Rate(count: 50 << 20, periodMilliseconds: 3_600_000, inBytes: true)
        #expect(store.take(limit: "big", key: "k", cost: 30 << 20, rate: fiftyMegabytesAnHour, now: 0) == false)
        #expect(store.take(limit: "big", key: "k", cost: 15 << 20, rate: fiftyMegabytesAnHour, now: 0) == false)
        #expect(store.take(limit: "big", key: "k", cost: 10 << 20, rate: fiftyMegabytesAnHour, now: 0) == true)
        // Half an hour frees 25 MB.
        #expect(store.take(limit: "big", key: "k", cost: 10 << 20, rate: fiftyMegabytesAnHour, now: 1_800_000) == false)
    }

    @Test("lists: an entry lasts its time to live, is renewed when added again, and can be removed")
    func lists() {
        let store = MemoryStore(logger: .quiet)
        #expect(!store.contains(list: "banned", key: "192.0.2.1", now: 0))
        store.add(list: "banned", key: "192.0.2.1", ttlMilliseconds: 3_600_000, now: 0)
        #expect(store.contains(list: "banned", key: "192.0.2.1", now: 3_599_999))
        #expect(!store.contains(list: "banned", key: "192.0.2.1", now: 3_600_000))
        store.add(list: "banned", key: "192.0.2.1", ttlMilliseconds: 3_600_000, now: 3_000_000)
        #expect(store.contains(list: "banned", key: "192.0.2.1", now: 6_000_000))
        store.remove(list: "banned", key: "192.0.2.1")
        #expect(!store.contains(list: "banned", key: "192.0.2.1", now: 6_000_000))
        #expect(store.keyCount == 0)
        // Another list of the same key is another entry.
        store.add(list: "other", key: "192.0.2.1", ttlMilliseconds: 1000, now: 0)
        #expect(!store.contains(list: "banned", key: "192.0.2.1", now: 0))
    }

    @Test("a 10 KB key costs a bounded key; two long keys that differ at the end stay apart")
    func longKeys() {
        let store = MemoryStore(logger: .quiet)
        let long = String(repeating: "a", count: 10_000)
        #expect(StoreKey.bounded(long).utf8.count <= StoreKey.maximumBytes)
        store.add(list: "l", key: long + "1", ttlMilliseconds: 1000, now: 0)
        #expect(store.contains(list: "l", key: long + "1", now: 0))
        #expect(!store.contains(list: "l", key: long + "2", now: 0))
        #expect(StoreKey.bounded("short@example.com") == "short@example.com")
    }

    @Test("bounded: when full, expired keys are swept; if none expired, new keys are unknown (logged), known ones still count")
    func bound() {
        let logs = LogRecorder()
        let store = MemoryStore(maximumKeys: 1000, logger: logs.logger())
        let rate = Rate(count: 10, periodMilliseconds: 10_000)
        for index in 0..<1000 { #expect(store.take(limit: "l", key: "k\(index)", rate: rate, now: 0) == false) }
        #expect(store.keyCount == 1000)
        #expect(store.take(limit: "l", key: "new", rate: rate, now: 0) == nil)
        #expect(store.add(list: "d", key: "new", ttlMilliseconds: 1000, now: 0) == false)
        #expect(store.take(limit: "l", key: "k1", rate: rate, now: 0) == false)
        #expect(logs.all.filter { $0.contains("the store is full (1000 keys") }.count == 1)
        // A second later every key is at rest (one event of a 1/s rate): swept, room again.
        #expect(store.take(limit: "l", key: "new", rate: rate, now: 1500) == false)
        #expect(store.keyCount == 2)  // "new", and "k1" (counted twice, due at 2 s)
    }

    @Test("1,000,000 distinct keys: the bound holds, and the store keeps working")
    func million() {
        let store = MemoryStore(maximumKeys: 200_000, logger: .quiet)
        let rate = Rate(count: 5, periodMilliseconds: 600_000)
        var unknown = 0
        for index in 0..<1_000_000 where store.take(limit: "l", key: "key-\(index)", rate: rate, now: 0) == nil { unknown += 1 }
        #expect(store.keyCount == 200_000)
        #expect(unknown == 800_000)
    }

    @Test("a reload keeps the limits and lists that kept their names")
    func keep() {
        let store = MemoryStore(logger: .quiet)
        let rate = Rate(count: 1, periodMilliseconds: 60_000)
        _ = store.take(limit: "stays", key: "k", rate: rate, now: 0)
        _ = store.take(limit: "goes", key: "k", rate: rate, now: 0)
        store.add(list: "banned", key: "k", ttlMilliseconds: 60_000, now: 0)
        store.keep(limits: ["stays"], lists: ["banned"])
        #expect(store.keyCount == 2)
        #expect(store.take(limit: "stays", key: "k", rate: rate, now: 0) == true)
        #expect(store.take(limit: "goes", key: "k", rate: rate, now: 0) == false)
        #expect(store.contains(list: "banned", key: "k", now: 0))
    }
}

@Suite("Rule stores: greylisting's triplets")
struct GreylistStoreTests {
    let policy = Greylisting(delay: 300_000, window: 86_400_000, pass: 2_592_000_000)

    @Test("deferred, deferred too soon, passed after the delay, remembered, forgotten after its pass or window")
    func lifecycle() {
        let store = MemoryStore(logger: .quiet)
        #expect(store.greylist("t", now: 0, policy: policy) == .deferred(retryAfter: 300_000))
        #expect(store.greylist("t", now: 100_000, policy: policy) == .deferred(retryAfter: 200_000))
        #expect(store.greylist("t", now: 300_000, policy: policy) == .passed)
        #expect(store.greylist("t", now: 2_592_000_000, policy: policy) == .passed)
        #expect(store.keyCount == 1)
        // Unused for longer than the pass: a first attempt again.
        #expect(store.greylist("t", now: 2_592_000_000 * 3, policy: policy) == .deferred(retryAfter: 300_000))
        // A retry after the window: a first attempt again.
        #expect(store.greylist("u", now: 0, policy: policy) == .deferred(retryAfter: 300_000))
        #expect(store.greylist("u", now: 86_400_000, policy: policy) == .deferred(retryAfter: 300_000))
    }

    @Test("expired triplets are swept when the store is full; a new one that does not fit is unknown")
    func bound() {
        let store = MemoryStore(maximumKeys: 1000, logger: .quiet)
        for index in 0..<1000 { _ = store.greylist("t\(index)", now: 0, policy: policy) }
        #expect(store.greylist("new", now: 0, policy: policy) == nil)
        // A day and a minute on, the unpassed triplets' windows are over.
        #expect(store.greylist("new", now: 86_460_000, policy: policy) == .deferred(retryAfter: 300_000))
        #expect(store.keyCount == 1)
    }
}

@Suite("Rule stores: the state file")
struct StateFileTests {
    let rate = Rate(count: 2, periodMilliseconds: 60_000)

    func directory() throws -> String {
        let path = "/tmp/filter-rules-state-\(UInt64.random(in: 0...UInt64.max))"
        #expect(mkdir(path, 0o700) == 0)
        return path
    }

    @Test("saved and loaded: counts, list entries and greylisting passes survive a restart; expired keys and unnamed limits do not")
    func roundTrip() throws {
        let path = try directory() + "/state"
        let store = MemoryStore(logger: .quiet)
        #expect(store.take(limit: "l", key: "192.0.2.0/24", rate: rate, now: 0) == false)
        #expect(store.take(limit: "l", key: "192.0.2.0/24", rate: rate, now: 0) == false)
        _ = store.take(limit: "gone", key: "k", rate: rate, now: 0)
        store.add(list: "banned", key: "a key with spaces, 100% \n and a line break", ttlMilliseconds: 3_600_000, now: 0)
        store.add(list: "banned", key: "expired", ttlMilliseconds: 1, now: 0)
        let policy = Greylisting()
        _ = store.greylist("192.0.2.0/24 a@b c@d", now: 0, policy: policy)
        #expect(store.greylist("192.0.2.0/24 a@b c@d", now: 300_000, policy: policy) == .passed)
        #expect(try store.save(to: path, now: 10) == 4)
        let restarted = MemoryStore(logger: .quiet)
        #expect(try restarted.load(from: path, now: 10, limits: ["l"], lists: ["banned"]) == 3)
        #expect(restarted.take(limit: "l", key: "192.0.2.0/24", rate: rate, now: 10) == true)
        #expect(restarted.contains(list: "banned", key: "a key with spaces, 100% \n and a line break", now: 10))
        #expect(restarted.greylist("192.0.2.0/24 a@b c@d", now: 600_000, policy: policy) == .passed)
        // No file: nothing, no error.
        #expect(try MemoryStore(logger: .quiet).load(from: path + ".none", now: 0, limits: [], lists: []) == 0)
    }

    @Test("a truncated file, one from another version and garbage are refused with the line; the store stays empty")
    func badFiles() throws {
        let directory = try directory()
        let store = MemoryStore(logger: .quiet)
        store.add(list: "banned", key: "k", ttlMilliseconds: 3_600_000, now: 0)
        let path = directory + "/state"
        try store.save(to: path, now: 0)
        let good = try #require(try StateFile.read(path))
        for (bytes, expected) in [
            (Array(good.dropLast(3)), StateFileError.corrupt(line: 2, "cut short (no final line feed)")),
            (Array("filter-rules state 2\n".utf8), .otherVersion("filter-rules state 2")),
            (Array("\u{0}\u{1}garbage".utf8), .corrupt(line: 1, "expected 'filter-rules state 1'")),
            (Array("filter-rules state 1\nD banned soon k\n".utf8), .corrupt(line: 2, "bad list entry")),
            (Array("filter-rules state 1\nX what\n".utf8), .corrupt(line: 2, "expected an L, D or G entry")),
            (Array("filter-rules state 1\nD banned 99 bad%zz\n".utf8), .corrupt(line: 2, "bad list entry")),
        ] {
            try StateFile.write(bytes, to: path)
            let fresh = MemoryStore(logger: .quiet)
            #expect(throws: expected) { try fresh.load(from: path, now: 0, limits: [], lists: ["banned"]) }
            #expect(fresh.keyCount == 0)
        }
        // Well-formed entries no rules could have written (times at the ends of Int64, a
        // first attempt in the future): left out, and nothing traps later.
        let extreme = """
            filter-rules state 1
            D banned 9223372036854775807 forever
            L l 1e300 k
            G -9223372036854775808 - 9223372036854775807 192.0.2.0/24 a@b c@d
            G 5000 - 900000 192.0.2.0/24 e@f g@h

            """
        try StateFile.write(Array(extreme.utf8), to: path)
        let fresh = MemoryStore(logger: .quiet)
        #expect(try fresh.load(from: path, now: 1000, limits: ["l"], lists: ["banned"]) == 0)
        #expect(!fresh.contains(list: "banned", key: "forever", now: 1000))
        #expect(fresh.greylist("192.0.2.0/24 a@b c@d", now: 1000, policy: Greylisting()) != .passed)
        // A directory that does not exist: the write says so.
        #expect(throws: StateFileError.unwritable(directory + "/none/state", "No such file or directory")) {
            try store.save(to: directory + "/none/state", now: 0)
        }
    }
}
