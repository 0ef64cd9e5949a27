import Foundation
import SMTPDTestDouble
import Testing
import TestSupport

/// Limits, lists and greylisting kept in Redis under `serve`: two filters (two MX hosts)
/// share them through one redis-server the tests start; a Redis that goes away costs the
/// answers nothing but the timeout, and is used again when it is back.
@Suite(
    "filter-rules serve: the store in Redis", .serialized,
    .enabled(if: RedisServer.isInstalled, "needs redis-server (scripts/test installs it)"))
struct RedisStoreServeTests {
    static func rules(_ url: String) -> String {
        """
        set store \(url)
        set store-prefix mx
        limit per-client addr 10/1m
        limit probe addr 2/1h
        dynlist banned addr 1h
        connect in banned disconnect 421 "4.7.0 Too many failures, come back later"
        rcpt /^unknown/ and rcpt over probe add-to banned
        rcpt /^unknown/ reject 550 "5.1.1 No such user"
        mail over per-client tempfail 451 "4.7.1 Too many messages"

        """
    }

    static func connect(_ smtpd: LineDaemonDouble, _ session: UInt64, _ address: String) throws -> String {
        try smtpd.report("link-connect", session: session, parameters: "c|pass|\(address):1|192.0.2.1:25")
        return try StoreServeTests.answerPart(smtpd.query("connect", session: session, parameters: "c|\(address)"))
    }

    @Test("two filters on one Redis: a limit of 10 messages a minute admits 10 between them, a ban on one refuses on the other")
    func twoHosts() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let (_, first, _) = try startLineServing(try TemporaryRulesFile(Self.rules(redis.unixURL())))
        let (_, second, _) = try startLineServing(try TemporaryRulesFile(Self.rules(redis.tcpURL())))
        #expect(try Self.connect(first, 1, "192.0.2.10") == "proceed")
        #expect(try Self.connect(second, 1, "192.0.2.10") == "proceed")
        var admitted = 0
        for index in 0..<20 {
            let smtpd = index % 2 == 0 ? first : second
            let answer = try StoreServeTests.answerPart(smtpd.query("mail-from", session: 1, parameters: "<a\(index)@example.net>"))
            if answer == "proceed" { admitted += 1 } else { #expect(answer == "reject|451 4.7.1 Too many messages") }
        }
        #expect(admitted == 10)
        // Three unknown recipients on the first host ban the client on both.
        #expect(try Self.connect(first, 2, "198.51.100.7") == "proceed")
        for index in 1...3 { #expect(try StoreServeTests.rcpt(first, 2, "unknown\(index)@example.org") == "reject|550 5.1.1 No such user") }
        #expect(try Self.connect(second, 2, "198.51.100.7") == "disconnect|421 4.7.0 Too many failures, come back later")
    }

    @Test("set store-password-file: the password is read and used; a FIFO in its place is refused at once, not waited on")
    func passwordFile() throws {
        let redis = try RedisServer(password: "s3cret pass")
        defer { redis.stop() }
        let password = try TemporaryFile("s3cret pass\n", name: "redis.password")
        let file = password.path
        let rules = Self.rules(redis.tcpURL()).replacingOccurrences(of: "set store-prefix mx\n", with: "set store-password-file \"\(file)\"\n")
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(rules))
        #expect(try Self.connect(smtpd, 1, "192.0.2.10") == "proceed")
        let answers = try (0..<11).map { try StoreServeTests.answerPart(smtpd.query("mail-from", session: 1, parameters: "<p\($0)@example.net>")) }
        #expect(answers.last == "reject|451 4.7.1 Too many messages", "\(answers)")
        // A FIFO: the filter starts and answers (without the password) instead of hanging.
        let fifo = password.directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let (process, other, _) = try startLineServing(
            try TemporaryRulesFile(rules.replacingOccurrences(of: file, with: fifo)))
        #expect(try Self.connect(other, 1, "192.0.2.11") == "proceed")
        #expect(waitForLog(process, containing: "store password file \(fifo) cannot be read"))
    }

    @Test("Redis killed mid-run: answers keep coming within the timeout, the log says so once; Redis back: limits apply again")
    func redisDown() throws {
        let redis = try RedisServer()
        defer { redis.stop() }
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules(redis.unixURL())))
        #expect(try Self.connect(smtpd, 1, "192.0.2.10") == "proceed")
        redis.kill()
        for index in 0..<30 {
            let start = Date()
            let answer = try StoreServeTests.answerPart(smtpd.query("mail-from", session: 1, parameters: "<a\(index)@example.net>"))
            #expect(answer == "proceed")
            #expect(Date().timeIntervalSince(start) < 1, "answered after \(Date().timeIntervalSince(start)) s")
        }
        #expect(waitForLog(process, containing: "Redis store redis+unix://"))
        let warnings = process.stderrText.components(separatedBy: "\n").filter { $0.contains("Redis store redis+unix://") && $0.contains("warning") }
        #expect(warnings.count <= 2, "\(warnings)")
        try redis.start()
        // The breaker pauses 10 s at most; then the limit counts again.
        let deadline = Date().addingTimeInterval(20)
        var refused = false
        var index = 100
        while Date() < deadline && !refused {
            index += 1
            let answer = try StoreServeTests.answerPart(smtpd.query("mail-from", session: 1, parameters: "<b\(index)@example.net>"))
            refused = answer.hasPrefix("reject|451")
            if !refused { usleep(50_000) }
        }
        #expect(refused)
    }
}
