import SMTPDTestDouble
import Testing

/// `filter-rules` serving the smtpd test double: answers decided by rules, byte for byte.
@Suite("filter-rules serve: queries")
struct ServeQueryTests {
    static let rules = """
        addr 198.51.100.0/24 reject
        addr 203.0.113.9 disconnect 421 "4.7.0 Go away"
        connect /\\.dsl\\./i tempfail
        helo /^mx\\.example\\.org$/i reject 550 "5.7.1 You are not me"
        mail /@spam\\.example$/ reject
        rcpt /^root@/ tempfail 450
        header Subject /cheap\\s+viagra/i reject 554 "5.7.1 No spam"
        """

    @Test("registers every hook, so every query and the message data reach the rules")
    func registersAllHooks() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let process = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "filter-rules"),
            name: "rules", arguments: [file.path])
        let answer = try SMTPDDouble(process: process).register(name: "rules")
        // type 0, length 24, hooks = all eleven bits 0x7ff, flags 0.
        let expected: [UInt8] =
            [0, 0, 0, 0, 0x18, 0, 0, 0, 0, 0, 0, 0] + le32(UInt32(process.pid))
            + [0xff, 0x07, 0, 0, 0, 0, 0, 0]
        #expect(answer.bytes == expected)
    }

    @Test("a HELO reject is answered FILTER_FAIL with the rule's code and text, byte for byte")
    func heloRejectGolden() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file)
        #expect(try connect(smtpd, session: 0x0102030405060708).status == 0)
        let queryID = try smtpd.sendQuery(.helo, session: 0x0102030405060708, extra: SMTPDDouble.heloExtra("MX.example.org"), queryID: 0x11)
        let (frame, response) = try smtpd.expectResponse(to: queryID, .helo)
        let text = Array("5.7.1 You are not me".utf8) + [0]
        let payload = le64(0x11) + le32(1) + le32(1) + le32(550) + text
        #expect(frame.bytes == [4, 0, 0, 0] + [UInt8(16 + payload.count), 0, 0, 0, 0, 0, 0, 0] + le32(UInt32(process.pid)) + payload)
        #expect(response.line == "5.7.1 You are not me")
        #expect(
            waitForLog(
                process, containing: "\nnotice: session 0102030405060708 helo \(file.path):4 reject 550 5.7.1 You are not me, matched \"MX.example.org\"\n"))
    }

    @Test("addr CIDR, addr disconnect and connect hostname rules decide the connect query")
    func connectStage() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (_, smtpd) = try startServing(file)
        let refused = try connect(smtpd, session: 1, address: [198, 51, 100, 23])
        #expect(refused.status == 1 && refused.code == 554 && refused.line == "5.7.1 Connection refused by policy")
        let closed = try connect(smtpd, session: 2, address: [203, 0, 113, 9])
        #expect(closed.status == 2 && closed.code == 421 && closed.line == "4.7.0 Go away")
        let tempfailed = try connect(smtpd, session: 3, hostname: "host1.DSL.example.net")
        #expect(tempfailed.status == 1 && tempfailed.code == 451)
        #expect(try connect(smtpd, session: 4).status == 0)
    }

    @Test("MAIL and RCPT rules; the null sender is accepted; unmatched stages are accepted")
    func envelope() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (_, smtpd) = try startServing(file)
        #expect(try connect(smtpd, session: 5).status == 0)
        #expect(try smtpd.ask(.helo, session: 5, extra: SMTPDDouble.heloExtra("client.example")).status == 0)
        try smtpd.event(.txBegin, session: 5)
        let spam = try smtpd.ask(.mail, session: 5, extra: SMTPDDouble.mailaddrExtra(user: "x", domain: "spam.example"))
        #expect(spam.status == 1 && spam.code == 550 && spam.line == "5.7.1 Sender rejected by policy")
        try smtpd.event(.txRollback, session: 5)
        #expect(try smtpd.ask(.mail, session: 5, extra: SMTPDDouble.mailaddrExtra(user: "", domain: "")).status == 0)
        let root = try smtpd.ask(.rcpt, session: 5, extra: SMTPDDouble.mailaddrExtra(user: "root", domain: "example.org"))
        #expect(root.status == 1 && root.code == 450)
        #expect(try smtpd.ask(.rcpt, session: 5, extra: SMTPDDouble.mailaddrExtra(user: "bob", domain: "example.org")).status == 0)
        #expect(try smtpd.ask(.data, session: 5).status == 0)
    }

    @Test("a folded spam Subject rejects the message at EOM; the data passes through byte for byte")
    func messageVerdict() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (_, smtpd) = try startServing(file)
        for (session, subject) in [(UInt64(6), "Subject: Cheap\n VIAGRA here\n"), (7, "Subject: minutes\n")] {
            #expect(try connect(smtpd, session: session).status == 0)
            try smtpd.event(.txBegin, session: session)
            #expect(try smtpd.ask(.data, session: session).status == 0)
            var message = Array("Received: from client.example\n\tby mx.example.org;\n\tThu, 1 Jan 1970 00:00:00 +0000\n".utf8)
            message += Array(subject.utf8) + Array("\nBody with bytes \u{00e9}".utf8) + [0xff, 0xfe, 0x0a]
            message += Array(repeating: UInt8(ascii: "z"), count: 20_000) + [0x0a]
            let result = try smtpd.pushMessage(message, session: session)
            #expect(result.output == message)
            #expect(result.response.dataLength == UInt32(message.count))
            if session == 6 {
                #expect(result.response.status == 1 && result.response.code == 554 && result.response.line == "5.7.1 No spam")
            } else {
                #expect(result.response.status == 0)
            }
        }
    }
}
