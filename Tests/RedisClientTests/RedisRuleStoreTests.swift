import Foundation
import RedisClient
import RedisStore
import RuleStores
import Synchronization
import Testing
import TestSupport

/// Answers of a remote store, waited for.
func answer(_ store: RedisRuleStore, _ call: StoreCall) -> StoreAnswer? {
    let box = Mutex<(done: Bool, answer: StoreAnswer?)>((false, nil))
    store.answer(call) { answer in box.withLock { $0 = (true, answer) } }
    let deadline = Date().addingTimeInterval(5)
    while !box.withLock({ $0.done }) && Date() < deadline { usleep(1_000) }
    return box.withLock { $0.answer }
}

@Suite("Redis store: the rules' calls on a real redis-server", .serialized, .enabled(if: RedisServer.isInstalled, "needs redis-server"))
struct RedisRuleStoreTests {
    @Test("a limit: the burst at once, then over; strict and byte costs; another key apart; keys expire by themselves")
    func limits() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let store = try RedisRuleStore(endpoint: RedisEndpoint(url: server.unixURL())!, prefix: "t1", logger: .quiet)
        let rate = Rate(count: 3, periodMilliseconds: 3_600_000)
        let answers = (1...4).map { _ in answer(store, .take(limit: "l", key: "192.0.2.0/24", cost: 1, rate: rate)) }
        #expect(answers == [.flag(false), .flag(false), .flag(false), .flag(true)])
        #expect(answer(store, .take(limit: "l", key: "198.51.100.0/24", cost: 1, rate: rate)) == .flag(false))
        let bytes = Rate(count: 1000, periodMilliseconds: 3_600_000, inBytes: true)
        #expect(answer(store, .take(limit: "big", key: "k", cost: 600, rate: bytes)) == .flag(false))
        #expect(answer(store, .take(limit: "big", key: "k", cost: 600, rate: bytes)) == .flag(true))
        #expect(answer(store, .take(limit: "big", key: "k", cost: 300, rate: bytes)) == .flag(false))
        // The key lives as long as its rate is taken: about an hour for three of 3/1h.
        let client = try RedisClient(endpoint: RedisEndpoint(url: server.unixURL())!, logger: .quiet)
        defer { client.shutdown() }
        guard case .success(.integer(let ttl)) = send(client, ["PTTL", "t1:limit:l:192.0.2.0/24"]) else { Issue.record("no TTL"); return }
        #expect(ttl > 3_500_000 && ttl <= 3_600_000, "\(ttl)")
    }

    @Test("lists: added with a time to live, found, removed; greylisting: deferred, then passed after the delay")
    func listsAndGreylisting() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let store = try RedisRuleStore(endpoint: RedisEndpoint(url: server.tcpURL(database: 2))!, prefix: "t2", logger: .quiet)
        #expect(answer(store, .contains(list: "banned", key: "192.0.2.7")) == .flag(false))
        store.apply(.add(list: "banned", key: "192.0.2.7", ttlMilliseconds: 300))
        #expect(answer(store, .contains(list: "banned", key: "192.0.2.7")) == .flag(true))
        usleep(400_000)
        #expect(answer(store, .contains(list: "banned", key: "192.0.2.7")) == .flag(false))
        store.apply(.add(list: "banned", key: "192.0.2.8", ttlMilliseconds: 60_000))
        store.apply(.remove(list: "banned", key: "192.0.2.8"))
        #expect(answer(store, .contains(list: "banned", key: "192.0.2.8")) == .flag(false))
        let policy = Greylisting(delay: 500, window: 60_000, pass: 60_000)
        guard case .greylist(.deferred(let retry)) = answer(store, .greylist(key: "net a@b c@d", policy: policy)) else {
            Issue.record("not deferred"); return
        }
        #expect(retry == 500)
        guard case .greylist(.deferred) = answer(store, .greylist(key: "net a@b c@d", policy: policy)) else { Issue.record("passed too soon"); return }
        usleep(600_000)
        #expect(answer(store, .greylist(key: "net a@b c@d", policy: policy)) == .greylist(.passed))
        #expect(answer(store, .greylist(key: "net a@b c@d", policy: policy)) == .greylist(.passed))
    }

    @Test("a server that answers an error to every command, or garbage: every call is unknown, none is a match")
    func errors() throws {
        for junk in ["-ERR nothing works here\r\n", ":7\r\n", "*1\r\n$2\r\nno\r\n", "hello\r\n"] {
            let server = try MisbehavingServer(garbage: Array(junk.utf8))
            defer { server.stop() }
            let store = try RedisRuleStore(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: Int(server.port))), logger: .quiet)
            let rate = Rate(count: 1, periodMilliseconds: 60_000)
            #expect(answer(store, .take(limit: "l", key: "k", cost: 1, rate: rate)) == nil, "\(junk.debugDescription)")
            #expect(answer(store, .greylist(key: "t", policy: Greylisting())) == nil, "\(junk.debugDescription)")
        }
    }

    @Test("two stores on one server share their counts; with the server gone every call is unknown, in time")
    func sharedAndDown() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let first = try RedisRuleStore(endpoint: RedisEndpoint(url: server.unixURL())!, logger: .quiet)
        let second = try RedisRuleStore(endpoint: RedisEndpoint(url: server.tcpURL())!, logger: .quiet)
        let rate = Rate(count: 10, periodMilliseconds: 60_000)
        var admitted = 0
        for index in 0..<20 {
            if answer(index % 2 == 0 ? first : second, .take(limit: "m", key: "192.0.2.1", cost: 1, rate: rate)) == .flag(false) { admitted += 1 }
        }
        #expect(admitted == 10)
        server.kill()
        let start = Date()
        #expect(answer(first, .take(limit: "m", key: "192.0.2.1", cost: 1, rate: rate)) == nil)
        #expect(answer(second, .contains(list: "x", key: "y")) == nil)
        #expect(Date().timeIntervalSince(start) < 1)
    }
}
