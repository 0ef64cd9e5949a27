import Foundation
import SMTPDTestDouble
import Testing

/// One session's message must not hold back another session's answers: filter-rules
/// evaluates message content on worker threads and answers `commit` when it is done, while
/// the protocol loop goes on answering the other sessions.
@Suite("filter-rules serve: a slow message does not stall other sessions")
struct ContentStallTests {
    /// A body rule of catastrophic shape, given time to chew (the line budget raised far
    /// above its default), and a HELO rule for the other session.
    static let rules = """
        set match-limit 100000000
        set line-time-limit 60s
        set message-time-limit 60s
        body /(.*a){20}/ reject 554 "5.7.1 slow"
        helo /^bad\\.example$/ reject 550 "5.7.1 bad helo"

        """

    @Test("another session's HELO is answered while the first session's message is still being evaluated; the commit answer comes after")
    func heloAnsweredDuringSlowMessage() throws {
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules))
        let slow: UInt64 = 0x11, other: UInt64 = 0x22
        for session in [slow, other] {
            try smtpd.report("link-connect", session: session, parameters: "c.example|pass|192.0.2.7:1|192.0.2.1:25")
        }
        // Backtracks for a few seconds in a debug build before it matches.
        let line = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000) + [UInt8](repeating: UInt8(ascii: "b"), count: 10_000)
        let lines: [[UInt8]] = [Array("Subject: slow".utf8), [], line]
        // The lines are echoed at once, before they are evaluated.
        #expect(try smtpd.message(lines, session: slow, timeout: 5) == lines + [[UInt8(ascii: ".")]])
        let commitToken = smtpd.token()
        try smtpd.request("commit", session: slow, token: commitToken, parameters: [])

        let started = Date()
        let heloToken = smtpd.token()
        try smtpd.request("helo", session: other, token: heloToken, parameters: Array("bad.example".utf8))
        let helo = try smtpd.receiveLine(timeout: 5)
        let latency = Date().timeIntervalSince(started)
        #expect(helo == "filter-result|0000000000000022|\(LineDaemonDouble.hex(heloToken))|reject|550 5.7.1 bad helo")
        print("ContentStallTests: the other session's HELO was answered after \(String(format: "%.2f", latency * 1000)) ms")
        // A hang detector, not a speed claim: the loop answered without waiting for the regex.
        #expect(latency < 1, "HELO of the other session took \(latency) s")

        let commit = try smtpd.receiveLine(timeout: 60)
        #expect(commit == "filter-result|0000000000000011|\(LineDaemonDouble.hex(commitToken))|reject|554 5.7.1 slow")
    }

    @Test("a session that ends before its message is decided gets no answer, and the filter goes on")
    func disconnectBeforeVerdict() throws {
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules), extraArguments: ["-v"])
        let session: UInt64 = 0x33
        try smtpd.report("link-connect", session: session, parameters: "c.example|pass|192.0.2.7:1|192.0.2.1:25")
        let line = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000) + [UInt8](repeating: UInt8(ascii: "b"), count: 10_000)
        _ = try smtpd.message([Array("Subject: slow".utf8), [], line], session: session)
        try smtpd.request("commit", session: session, token: smtpd.token(), parameters: [])
        try smtpd.report("link-disconnect", session: session)
        try smtpd.report("link-connect", session: 0x44, parameters: "c.example|pass|192.0.2.7:1|192.0.2.1:25")
        let heloToken = smtpd.token()
        try smtpd.request("helo", session: 0x44, token: heloToken, parameters: Array("ok.example".utf8))
        #expect(try smtpd.receiveLine() == "filter-result|0000000000000044|\(LineDaemonDouble.hex(heloToken))|proceed")
        #expect(waitForLog(process, containing: "session 0000000000000033 ended before its deferred answer: not sent", timeout: 60))
        #expect(try smtpd.lineArrives(within: 0.2) == false)
    }
}
