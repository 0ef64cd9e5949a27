import RuleStores
import Foundation
import RedisClient
import Synchronization
import Testing
import TestSupport

/// Replies of `send`, waited for.
final class Replies: Sendable {
    private let state = Mutex<[Result<RedisReply, RedisFailure>]>([])
    func add(_ result: Result<RedisReply, RedisFailure>) { state.withLock { $0.append(result) } }
    var all: [Result<RedisReply, RedisFailure>] { state.withLock { $0 } }

    /// Waits until `count` replies are in (10 s at most).
    func wait(for count: Int) -> [Result<RedisReply, RedisFailure>] {
        let deadline = Date().addingTimeInterval(10)
        while all.count < count && Date() < deadline { usleep(2_000) }
        return all
    }
}

func send(_ client: RedisClient, _ arguments: [String]) -> Result<RedisReply, RedisFailure> {
    let replies = Replies()
    client.send(arguments) { replies.add($0) }
    return replies.wait(for: 1).first ?? .failure(.shutDown)
}

@Suite("Redis client: a real redis-server", .serialized, .enabled(if: RedisServer.isInstalled, "needs redis-server (scripts/test installs it)"))
struct RedisClientTests {
    @Test("endpoints: redis:// and redis+unix:// URLs")
    func endpoints() {
        #expect(RedisEndpoint(url: "redis://127.0.0.1:6380/2") == RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6380), database: 2))
        #expect(RedisEndpoint(url: "redis://[::1]:6379") == RedisEndpoint(address: .tcp(host: "::1", port: 6379)))
        #expect(RedisEndpoint(url: "redis://redis.example") == RedisEndpoint(address: .tcp(host: "redis.example", port: 6379)))
        #expect(RedisEndpoint(url: "redis+unix:///run/redis/redis.sock?db=3") == RedisEndpoint(address: .unix(path: "/run/redis/redis.sock"), database: 3))
        for bad in ["http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/x", "redis+unix://relative", "redis+unix:///p?x=1"] {
            #expect(RedisEndpoint(url: bad) == nil, "\(bad)")
        }
        #expect(RedisEndpoint(url: "redis://[::1]:6379/1")?.description == "redis://[::1]:6379/1")
    }

    @Test("commands over a unix socket and TCP, pipelined, replies in order, binary-safe; a database and a password")
    func commands() throws {
        let server = try RedisServer(password: "s3cret")
        defer { server.stop() }
        let client = try RedisClient(endpoint: RedisEndpoint(url: server.unixURL(database: 3))!, password: "s3cret", logger: .quiet)
        defer { client.shutdown() }
        #expect(try send(client, ["SET", "k", "a b\r\n\u{0}c"]).get() == .status("OK"))
        #expect(try send(client, ["GET", "k"]).get() == .bulk(Array("a b\r\n\u{0}c".utf8)))
        // 1,000 at once: one connection, every reply to its command.
        let replies = Replies()
        for index in 0..<1000 { client.send(["INCRBY", "counter", String(index)]) { replies.add($0) } }
        let all = replies.wait(for: 1000)
        #expect(all.count == 1000)
        #expect(try all.last?.get() == .integer(Int64((0..<1000).reduce(0, +))))
        // The database: another one does not see the key.
        let other = try RedisClient(endpoint: RedisEndpoint(url: server.tcpURL(database: 4))!, password: "s3cret", logger: .quiet)
        defer { other.shutdown() }
        #expect(try send(other, ["GET", "k"]).get() == .null)
        #expect(
            try send(other, ["EVAL", "return {1, 'two', redis.call('TIME')[1] ~= nil}", "0"]).get()
                == .array([.integer(1), .bulk(Array("two".utf8)), .integer(1)]))
        #expect(try send(other, ["NOSUCHCOMMAND"]).get().errorText?.hasPrefix("ERR unknown command") == true)
        // A wrong password: the connection is refused, the commands fail.
        let logs = LogRecorder()
        let wrong = try RedisClient(endpoint: RedisEndpoint(url: server.unixURL())!, password: "nope", logger: logs.logger())
        defer { wrong.shutdown() }
        guard case .failure(.disconnected(let why)) = send(wrong, ["PING"]) else { Issue.record("PING passed with a wrong password"); return }
        #expect(why.contains("AUTH refused"), "\(why)")
    }

    @Test("a server killed mid-run: commands fail within the timeout, logged once; restarted, it is used again without anything done")
    func killedAndBack() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let logs = LogRecorder()
        let client = try RedisClient(endpoint: RedisEndpoint(url: server.unixURL())!, logger: logs.logger())
        defer { client.shutdown() }
        #expect(try send(client, ["PING"]).get() == .status("PONG"))
        server.kill()
        for _ in 0..<3 {
            let start = Date()
            guard case .failure = send(client, ["PING"]) else { Issue.record("PING passed with the server gone"); return }
            #expect(Date().timeIntervalSince(start) < 0.5)
        }
        #expect(logs.all.filter { $0.contains("Redis store redis+unix://") }.count == 1, "\(logs.all)")
        try server.start()
        let deadline = Date().addingTimeInterval(15)
        var back = false
        while Date() < deadline && !back {
            if case .success(.status("PONG")) = send(client, ["PING"]) { back = true } else { usleep(200_000) }
        }
        #expect(back)
        #expect(logs.all.contains { $0.contains("connected again") })
    }
}

extension RedisReply {
    var errorText: String? {
        if case .error(let text) = self { return text }
        return nil
    }
}
