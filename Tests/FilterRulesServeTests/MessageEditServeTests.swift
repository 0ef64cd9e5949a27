import Foundation
import SMTPDTestDouble
import Testing

/// The bytes of `text`.
private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("filter-rules serve: junk, add-header and captures through the daemon doubles")
struct MessageEditServeTests {
    static let envelopeRules = """
        helo /^localhost$/ junk
        mail /^(\\w+)@bulk\\.example$/ add-header "X-Bulk-Sender: $1"
        rcpt /^(\\w+)@example\\.org$/ reject 550 "5.1.1 <$1> is not here"
        """

    @Test("6.6+: an envelope junk is answered junk, an envelope add-header is written before the first line, the rest byte for byte")
    func lineEnvelopeEdits() throws {
        let file = try TemporaryRulesFile(Self.envelopeRules)
        let (process, smtpd, registration) = try startLineServing(file)
        // An envelope add-header needs the message lines, so the content phases are registered.
        #expect(LineServeTests.filterPhases(registration) == LineServeTests.envelopePhases + ["data-line", "commit"])
        let session: UInt64 = 0x51
        try smtpd.report("link-connect", session: session, parameters: "client.example|pass|192.0.2.7:4000|192.0.2.1:25")
        #expect(
            try smtpd.query("connect", session: session, parameters: "client.example|192.0.2.7")
                == "filter-result|0000000000000051|0000000000001001|proceed")
        #expect(
            try smtpd.query("ehlo", session: session, parameters: "localhost")
                == "filter-result|0000000000000051|0000000000001002|junk")
        #expect(
            try smtpd.query("mail-from", session: session, parameters: "<news@bulk.example>")
                == "filter-result|0000000000000051|0000000000001003|proceed")
        #expect(
            try smtpd.query("rcpt-to", session: session, parameters: "<bob@example.org>")
                == "filter-result|0000000000000051|0000000000001004|reject|550 5.1.1 <bob> is not here")
        #expect(
            try smtpd.query("rcpt-to", session: session, parameters: "<bob@example.net>")
                == "filter-result|0000000000000051|0000000000001005|proceed")
        // smtpd writes its own X-Spam and Received lines before the client's message.
        let lines: [[UInt8]] = [
            bytes("X-Spam: Yes"), bytes("Received: from localhost"), bytes("Subject: news"), [],
            bytes("..dot-stuffed"), [0xff, 0xfe], bytes("end"),
        ]
        let output = try smtpd.message(lines, session: session)
        #expect(output == [bytes("X-Bulk-Sender: news")] + lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: session) == "filter-result|0000000000000051|0000000000001007|proceed")
        #expect(waitForLog(process, containing: "add-header"))
        #expect(process.stderrText.contains(#"session 0000000000000051 helo \#(file.path):1 junk, matched "localhost""#))
        #expect(process.stderrText.contains(#"session 0000000000000051 mail \#(file.path):2 add-header "X-Bulk-Sender: news", matched "news@bulk.example""#))
    }

    @Test("6.0.x: an envelope junk and add-header are written before the first line, CRLF kept; the EOM answer counts them")
    func v52EnvelopeEdits() throws {
        let file = try TemporaryRulesFile(Self.envelopeRules)
        let (_, smtpd) = try startServing(file)
        let session: UInt64 = 0x52
        #expect(try connect(smtpd, session: session).status == 0)
        #expect(try smtpd.ask(.helo, session: session, extra: SMTPDDouble.heloExtra("localhost")).status == 0)
        try smtpd.event(.txBegin, session: session)
        #expect(try smtpd.ask(.mail, session: session, extra: SMTPDDouble.mailaddrExtra(user: "news", domain: "bulk.example")).status == 0)
        let refused = try smtpd.ask(.rcpt, session: session, extra: SMTPDDouble.mailaddrExtra(user: "bob", domain: "example.org"))
        #expect(refused.status == 1 && refused.code == 550 && refused.line == "5.1.1 <bob> is not here")
        #expect(try smtpd.ask(.rcpt, session: session, extra: SMTPDDouble.mailaddrExtra(user: "bob", domain: "example.net")).status == 0)
        #expect(try smtpd.ask(.data, session: session).status == 0)
        let message = bytes("Received: from localhost\r\n\tby mx;\r\nSubject: news\r\n\r\nbody \u{00e9}\r\n") + [0xff, 0x0a]
        let result = try smtpd.pushMessage(message, session: session)
        let added = bytes("X-Spam: Yes\r\nX-Bulk-Sender: news\r\n")
        #expect(result.output == added + message)
        #expect(result.response.status == 0)
        #expect(result.response.dataLength == UInt32(added.count + message.count))
        // The next transaction of the session is still junk (HELO), but has no bulk sender.
        try smtpd.event(.txCommit, session: session)
        try smtpd.event(.txBegin, session: session)
        #expect(try smtpd.ask(.mail, session: session, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "example.net")).status == 0)
        #expect(try smtpd.ask(.data, session: session).status == 0)
        let second = try smtpd.pushMessage(bytes("Subject: two\n\nx\n"), session: session)
        #expect(second.output == bytes("X-Spam: Yes\nSubject: two\n\nx\n"))
    }

    @Test("report-only: nothing is refused on either protocol and the log says would reject")
    func reportOnly() throws {
        let file = try TemporaryRulesFile("helo /^bad\\.example$/ reject 550 \"5.7.1 go away\"\n")
        let (lineProcess, line, _) = try startLineServing(file, extraArguments: ["--mode", "report-only"])
        try line.report("link-connect", session: 9, parameters: "c|pass|192.0.2.7:1|192.0.2.1:25")
        #expect(try line.query("helo", session: 9, parameters: "bad.example") == "filter-result|0000000000000009|0000000000001001|proceed")
        #expect(waitForLog(lineProcess, containing: "would reject"))
        #expect(
            lineProcess.stderrText.contains(
                #"session 0000000000000009 helo \#(file.path):1 would reject 550 5.7.1 go away, matched "bad.example" (report-only)"#))
        #expect(lineProcess.stderrText.contains("report-only mode (--mode report-only)"))

        try file.write("set mode report-only\nhelo /^bad\\.example$/ reject 550 \"5.7.1 go away\"\n")
        let (v52Process, v52) = try startServing(file)
        #expect(try connect(v52, session: 9).status == 0)
        #expect(try v52.ask(.helo, session: 9, extra: SMTPDDouble.heloExtra("bad.example")).status == 0)
        #expect(waitForLog(v52Process, containing: "would reject 550 5.7.1 go away"))
        // --mode enforce overrides the file.
        let (_, enforced) = try startServing(file, extraArguments: ["--mode", "enforce"])
        #expect(try connect(enforced, session: 9).status == 0)
        #expect(try enforced.ask(.helo, session: 9, extra: SMTPDDouble.heloExtra("bad.example")).status == 1)
    }

    static let contentRules = """
        body /bit\\.ly\\/(\\w+)/ add-header "X-Short-Link: $1"
        header subject /casino/i junk
        body /^wire transfer now$/ reject 554 "5.7.1 No fraud"
        """

    @Test("6.6+: a held message gets the content-stage headers at its top, the rest byte for byte; commit answers the verdict")
    func lineHeldMessage() throws {
        let (_, smtpd, registration) = try startLineServing(try TemporaryRulesFile(Self.contentRules))
        #expect(LineServeTests.filterPhases(registration) == LineServeTests.envelopePhases + ["data-line", "commit"])
        let session: UInt64 = 0x61
        try smtpd.report("link-connect", session: session, parameters: "c|pass|192.0.2.7:1|192.0.2.1:25")
        let lines: [[UInt8]] = [
            bytes("Received: from c"), bytes("Subject: Casino night"), [], bytes("see bit.ly/abc1 now"),
            bytes("..stuffed"), bytes("trailing \t"), [0xc3, 0x28, 0xff], bytes("bit.ly/second"),
        ]
        let output = try smtpd.message(lines, session: session)
        #expect(output == [bytes("X-Spam: Yes"), bytes("X-Short-Link: abc1")] + lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: session) == "filter-result|0000000000000061|0000000000001002|proceed")
        // A refused message is still written out whole, without headers (smtpd discards it),
        // and refused at commit.
        let refused: [[UInt8]] = [bytes("Subject: x"), [], bytes("bit.ly/zz"), bytes("wire transfer now")]
        #expect(try smtpd.message(refused, session: session) == refused + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: session) == "filter-result|0000000000000061|0000000000001004|reject|554 5.7.1 No fraud")
        // A message no rule tags passes unchanged.
        let clean: [[UInt8]] = [bytes("Subject: hello"), [], bytes("plain")]
        #expect(try smtpd.message(clean, session: session) == clean + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: session).hasSuffix("|proceed"))
    }

    @Test("6.0.x: a held message gets the content-stage headers at its top; the EOM answer carries the bytes written")
    func v52HeldMessage() throws {
        let (_, smtpd) = try startServing(try TemporaryRulesFile(Self.contentRules))
        let session: UInt64 = 0x62
        #expect(try connect(smtpd, session: session).status == 0)
        try smtpd.event(.txBegin, session: session)
        #expect(try smtpd.ask(.data, session: session).status == 0)
        var message = bytes("Received: from c\r\n\tby mx;\r\nSubject: casino\r\n\r\nsee bit.ly/q9 now\r\n") + [0xff, 0x0d, 0x0a]
        message += Array(repeating: UInt8(ascii: "y"), count: 300_000) + [0x0a]
        let result = try smtpd.pushMessage(message, session: session)
        let added = bytes("X-Spam: Yes\r\nX-Short-Link: q9\r\n")
        #expect(result.output.count == added.count + message.count)
        #expect(result.output == added + message)
        #expect(result.response.status == 0)
        #expect(result.response.dataLength == UInt32(added.count + message.count))
    }

    @Test("a message over set hold-limit passes on untagged and whole, with a log line")
    func overHoldLimit() throws {
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile("set hold-limit 1k\n" + Self.contentRules))
        let session: UInt64 = 0x63
        try smtpd.report("link-connect", session: session, parameters: "c|pass|192.0.2.7:1|192.0.2.1:25")
        let lines: [[UInt8]] =
            [bytes("Subject: hi"), [], bytes("bit.ly/late")] + (0..<40).map { bytes("filler line \($0) " + String(repeating: "f", count: 40)) }
        #expect(try smtpd.message(lines, session: session) == lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: session).hasSuffix("|proceed"))
        #expect(waitForLog(process, containing: "could not be added"))
    }

    @Test(
        "6.6+: set hold-total: the message that would pass it goes on whole and untagged, the others are tagged, freed holds make room again"
    )
    func overHoldTotal() throws {
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile("set hold-total 1k\n" + Self.contentRules))
        let sessions: [UInt64] = [0x71, 0x72, 0x73]
        for session in sessions {
            try smtpd.report("link-connect", session: session, parameters: "c|pass|192.0.2.7:1|192.0.2.1:25")
        }
        // About 400 bytes held each (lines and their newlines): two fit in 1 KiB, a third does not.
        func lines(_ name: String) -> [[UInt8]] {
            [bytes("Subject: Casino \(name)"), [], bytes("see bit.ly/\(name) now")]
                + (0..<8).map { bytes("filler \($0) " + String(repeating: name, count: 40 / name.count)) }
        }
        let messages = ["a71", "b72", "c73"].map(lines)
        #expect(messages.allSatisfy { $0.reduce(0) { $0 + $1.count + 1 } > 380 && $0.reduce(0) { $0 + $1.count + 1 } < 450 })
        // The three messages are under way at once: all their lines before any final dot.
        let tokens = sessions.map { _ in smtpd.token() }
        for (index, session) in sessions.enumerated() {
            for line in messages[index] { try smtpd.request("data-line", session: session, token: tokens[index], parameters: line) }
        }
        for (index, session) in sessions.enumerated() {
            try smtpd.request("data-line", session: session, token: tokens[index], parameters: [UInt8(ascii: ".")])
        }
        var outputs: [UInt64: [[UInt8]]] = [:]
        while outputs.count < sessions.count || outputs.values.contains(where: { $0.last != [UInt8(ascii: ".")] }) {
            let line = try smtpd.receiveBytes()
            let index = try #require(
                sessions.indices.first { index in
                    line.starts(with: bytes("filter-dataline|\(LineDaemonDouble.hex(sessions[index]))|\(LineDaemonDouble.hex(tokens[index]))|"))
                }, "unexpected line \(String(decoding: line, as: UTF8.self))")
            let prefixLength = "filter-dataline|".utf8.count + 2 * 17
            outputs[sessions[index], default: []].append(Array(line[prefixLength...]))
        }
        let dot: [[UInt8]] = [[UInt8(ascii: ".")]]
        #expect(outputs[0x71] == [bytes("X-Spam: Yes"), bytes("X-Short-Link: a71")] + messages[0] + dot)
        #expect(outputs[0x72] == [bytes("X-Spam: Yes"), bytes("X-Short-Link: b72")] + messages[1] + dot)
        #expect(outputs[0x73] == messages[2] + dot)
        for session in sessions {
            #expect(try smtpd.query("commit", session: session).hasSuffix("|proceed"))
        }
        #expect(
            waitForLog(
                process,
                containing:
                    "session 0000000000000073: held messages together reached the hold total of 1024 bytes: passed on without waiting for its verdict"))
        #expect(
            waitForLog(
                process,
                containing:
                    "session 0000000000000073: 2 header line(s) could not be added to the message: held messages together reached the hold total of 1024 bytes")
        )
        #expect(logCount(process, "reached the hold total") == 2)
        // The released holds gave their bytes back: the next message is held and tagged.
        let again = lines("d73")
        #expect(try smtpd.message(again, session: 0x73) == [bytes("X-Spam: Yes"), bytes("X-Short-Link: d73")] + again + dot)
    }
}
