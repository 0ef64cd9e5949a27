import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// Sessions that stay open cost no time on other sessions' queries: with 60,000 idle
/// sessions a new session's HELO is still answered at once (the bound is a hang detector,
/// not a speed claim; BENCHMARKS.md has the latency figures). At 100,000 sessions, the
/// bound, a new session is refused with 421 while the open ones are still answered, and
/// once one ends a new one is accepted again.
@Suite("filter-rules serve: 60,000 idle sessions, and the bound of 100,000")
struct IdleSessionTests {
    static let rules = "helo /^spam$/ reject\nbody /^unsubscribe$/ reject\n"
    static let idleSessions = 60_000
    static let bound = 100_000
    static let refusal = "4.3.2 Too many sessions in the mail filter, try again later"
    /// A session that arrives when the bound is reached.
    static let newcomer: UInt64 = 0xf011_0000_0000
    /// Sessions opened per round trip (the daemon reads their answers before sending more).
    static let chunk = 2_000
    static let latencyBound = 0.2

    /// Seconds each of `count` queries took, asked one after the other.
    func latencies(_ count: Int, _ ask: () throws -> Void) throws -> [Double] {
        try (0..<count).map { _ in
            let start = ContinuousClock.now
            try ask()
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            return Double(seconds) + Double(attoseconds) / 1e18
        }
    }

    @Test("filter API 52: HELO within 200 ms with 60,000 sessions open; at 100,000 a new session gets 421, the open ones go on")
    func v52() throws {
        let (process, smtpd) = try startServing(try TemporaryRulesFile(Self.rules))
        let connectQuery = SMTPDDouble.connectExtra(hostname: "idle.example")
        for first in stride(from: 0, to: Self.idleSessions, by: Self.chunk) {
            var bytes: [UInt8] = []
            var asked: Set<UInt64> = []
            for session in UInt64(first + 1)...UInt64(first + Self.chunk) {
                let qid = smtpd.makeQueryID()
                asked.insert(qid)
                bytes += Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: session, event: .connect))
                bytes += Wire.frame(type: Wire.query, payload: Wire.queryPayload(session: session, queryID: qid, query: .connect, extra: connectQuery))
            }
            try smtpd.process.sendBytes(bytes)
            for _ in 0..<Self.chunk {
                let response = try #require(ParsedResponse(try smtpd.process.receiveFrame(timeout: 10)))
                #expect(asked.remove(response.queryID) != nil && response.status == 0)
            }
        }
        let active: UInt64 = 0xac71fe
        #expect(try connect(smtpd, session: active).status == 0)
        let times = try latencies(20) { () throws in
            let status = try smtpd.ask(.helo, session: active, extra: SMTPDDouble.heloExtra("spam")).status
            #expect(status == 1)
        }
        #expect(times.max()! < Self.latencyBound, "HELO latencies \(times)")

        // Up to the bound with CONNECT events alone (no answers to wait for).
        var events: [UInt8] = []
        for session in UInt64(Self.idleSessions + 1)..<UInt64(Self.bound) {
            events += Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: session, event: .connect))
        }
        try smtpd.process.sendBytes(events)
        let refused = try connect(smtpd, session: Self.newcomer)
        #expect(refused.status == 2 && refused.code == 421 && refused.line == Self.refusal, "\(refused)")
        #expect(try smtpd.ask(.helo, session: Self.newcomer, extra: SMTPDDouble.heloExtra("ok.example")).code == 421)
        #expect(try smtpd.ask(.helo, session: active, extra: SMTPDDouble.heloExtra("spam")).status == 1)
        #expect(try smtpd.ask(.helo, session: 7, extra: SMTPDDouble.heloExtra("ok.example")).status == 0)
        try smtpd.event(.disconnect, session: 7)
        #expect(try connect(smtpd, session: Self.newcomer).status == 0)
        #expect(waitForLog(process, containing: "\(Self.bound) sessions open, the limit of the filter"))
        #expect(waitForLog(process, containing: "below the limit of \(Self.bound) sessions again: new sessions are accepted (2 queries were refused)"))
        #expect(process.waitForExit(timeout: 0) == nil)
    }

    @Test("line protocol: HELO within 200 ms with 60,000 sessions open; at 100,000 a new session gets 421, the open ones go on")
    func line() throws {
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules))
        for first in stride(from: 0, to: Self.idleSessions, by: Self.chunk) {
            var bytes: [UInt8] = []
            for session in UInt64(first + 1)...UInt64(first + Self.chunk) {
                let id = LineDaemonDouble.hex(session)
                bytes += Array("report|0.6|1764060000.000001|smtp-in|link-connect|\(id)|idle.example|pass|192.0.2.7:4000|192.0.2.1:25\n".utf8)
                bytes += Array("filter|0.6|1764060000.000002|smtp-in|connect|\(id)|\(id)|idle.example|192.0.2.7\n".utf8)
            }
            try smtpd.send(bytes)
            for _ in 0..<Self.chunk {
                #expect(try smtpd.receiveLine(timeout: 10).hasSuffix("|proceed"))
            }
        }
        let active: UInt64 = 0xac71fe
        try smtpd.report("link-connect", session: active, parameters: "client.example|pass|192.0.2.8:4000|192.0.2.1:25")
        let times = try latencies(20) { () throws in
            let answer = try smtpd.query("helo", session: active, parameters: "spam")
            #expect(answer.contains("|reject|"))
        }
        #expect(times.max()! < Self.latencyBound, "HELO latencies \(times)")

        // Up to the bound with link-connect reports alone (no answers to wait for).
        var reports: [UInt8] = []
        for session in UInt64(Self.idleSessions + 1)..<UInt64(Self.bound) {
            reports += Array(
                "report|0.6|1764060000.000001|smtp-in|link-connect|\(LineDaemonDouble.hex(session))|idle.example|pass|192.0.2.7:4000|192.0.2.1:25\n".utf8)
        }
        try smtpd.send(reports)
        try smtpd.report("link-connect", session: Self.newcomer, parameters: "client.example|pass|192.0.2.9:4000|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: Self.newcomer, parameters: "client.example|192.0.2.9").hasSuffix("|disconnect|421 \(Self.refusal)"))
        #expect(try smtpd.query("helo", session: active, parameters: "spam").contains("|reject|"))
        #expect(try smtpd.query("helo", session: 7, parameters: "ok.example").hasSuffix("|proceed"))
        try smtpd.report("link-disconnect", session: 7)
        try smtpd.report("link-connect", session: Self.newcomer, parameters: "client.example|pass|192.0.2.9:4000|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: Self.newcomer, parameters: "client.example|192.0.2.9").hasSuffix("|proceed"))
        #expect(waitForLog(process, containing: "\(Self.bound) sessions open, the limit of the filter"))
        #expect(waitForLog(process, containing: "below the limit of \(Self.bound) sessions again: new sessions are accepted (1 queries were refused)"))
        #expect(process.waitForExit(timeout: 0) == nil)
    }
}
