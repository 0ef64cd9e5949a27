import Foundation
import SMTPDTestDouble
import Testing

/// The log lines of the real `filter-rules`: bare under smtpd, timestamped on a terminal.
@Suite("filter-rules serve: log lines")
struct LogFormatTests {
    @Test(
        "under smtpd a decision is one line: level, session, stage as written, rule, action, reply, matched input escaped and cut at 200 bytes"
    )
    func decisionLine() throws {
        let file = try TemporaryRulesFile("dataline /tracking/ reject 554 \"5.7.1 Tracked\"\n")
        let (process, smtpd) = try startServing(file)
        #expect(try connect(smtpd, session: 0xaa).status == 0)
        try smtpd.event(.txBegin, session: 0xaa)
        #expect(try smtpd.ask(.data, session: 0xaa).status == 0)
        // 300 bytes with a tab and a control character; the match lies within the first 200.
        let line =
            Array("X-Trace:\t".utf8) + [0x01] + Array(repeating: UInt8(ascii: "a"), count: 180)
            + Array("tracking".utf8) + Array(repeating: UInt8(ascii: "z"), count: 102)
        #expect(line.count == 300)
        let result = try smtpd.pushMessage(Array("Subject: x\n".utf8) + line + [0x0a], session: 0xaa)
        #expect(result.response.status == 1 && result.response.code == 554)
        let shown = "X-Trace:\\t\\x01" + String(repeating: "a", count: 180) + "trackingzz"
        #expect(waitForLog(process, containing: "session 00000000000000aa dataline"))
        #expect(
            process.stderrText == """
                loaded \(file.path): 1 rules (rules format)
                notice: session 00000000000000aa dataline \(file.path):1 reject 554 5.7.1 Tracked, matched "\(shown)"... (300 bytes)

                """)
    }

    @Test("a PCRE2 limit is logged with the rule's stage, location, the limit and what was done")
    func limitLine() throws {
        let file = try TemporaryRulesFile("set match-limit 1000\nhelo /(a+)+$/ reject\n")
        // Without the prefilter: Vectorscan would see that the regex cannot match, and PCRE2
        // (whose limit this is about) would not run.
        let (process, smtpd) = try startServing(file, extraArguments: ["--prefilter", "off"])
        #expect(try connect(smtpd, session: 0xab).status == 0)
        #expect(try smtpd.ask(.helo, session: 0xab, extra: SMTPDDouble.heloExtra(String(repeating: "a", count: 30) + "b")).status == 0)
        #expect(waitForLog(process, containing: "\nwarning: session 00000000000000ab helo \(file.path):2: match limit exceeded, treated as no match\n"))
    }

    @Test("regression: a 1 MiB line against body /(.*a){20}/ is answered at once, and the lowered match limit is logged")
    func catastrophicLongLine() throws {
        let file = try TemporaryRulesFile("body /(.*a){20}/ reject\n")
        // Without the prefilter, which would rule the regex out before PCRE2 runs.
        let (process, smtpd) = try startServing(file, extraArguments: ["--prefilter", "off"])
        #expect(try connect(smtpd, session: 0xac).status == 0)
        try smtpd.event(.txBegin, session: 0xac)
        #expect(try smtpd.ask(.data, session: 0xac).status == 0)
        // 19 a's, one short of a match, then x: each .* runs to the end of the line and back.
        var line = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for index in 0..<19 { line[2 * index] = UInt8(ascii: "a") }
        let started = Date()
        let result = try smtpd.pushMessage(Array("Subject: x\n\n".utf8) + line + [0x0a], session: 0xac, timeout: 30)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.response.status == 0)
        #expect(
            waitForLog(
                process,
                containing: "\nwarning: session 00000000000000ac body \(file.path):1: "
                    + "match limit exceeded (lowered to 95 for 1048576 bytes), treated as no match\n"))
    }

    @Test("not under smtpd (stderr not a terminal) lines carry no timestamp")
    func noTimestampOnAPipe() throws {
        let file = try TemporaryRulesFile("hlo /x/ reject\n")
        let result = try runFilterRules([file.path])
        #expect(result.status == 1)
        #expect(
            result.standardError == """
                critical: \(file.path):1:1: unknown stage 'hlo', expected one of connect, addr, helo, mail, rcpt, header, \
                body, dataline, attachment, mimetype, auth, authfail, tls, fcrdns, score, rdns
                critical: \(file.path): 1 error(s), not starting

                """)
    }

    @Test("run by hand on a terminal, every line starts with the local time")
    func timestampOnATerminal() throws {
        let file = try TemporaryRulesFile("hlo /x/ reject\n")
        let (status, output) = try runFilterRulesOnTerminal([file.path])
        #expect(status == .exited(1))
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 3 && lines.last == "", "\(output)")
        let timestamp = #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} /#
        let expected = [
            "critical: \(file.path):1:1: unknown stage 'hlo', expected one of connect, addr, helo, mail, rcpt, header, body, dataline, attachment, mimetype, "
                + "auth, authfail, tls, fcrdns, score, rdns",
            "critical: \(file.path): 1 error(s), not starting",
        ]
        for (line, rest) in zip(lines, expected) {
            let match = line.prefixMatch(of: timestamp)
            #expect(match != nil, "no timestamp: \(line)")
            #expect(match.map { String(line[$0.range.upperBound...]) } == rest)
        }
    }
}
