import Foundation
import SMTPDTestDouble
import Testing
import TestSupport

/// `filter-rules serve` with DNS lists on the line protocol: lookups through the real
/// resolver against Debian's nsd and against servers that are slow or silent.
@Suite(
    "filter-rules serve: DNS lists", .serialized,
    .enabled(if: NSDServer.isInstalled, "needs /usr/sbin/nsd (Debian package nsd; scripts/test installs it)"))
struct DNSListServeTests {
    /// zen lists 192.0.2.99 (127.0.0.2) and 192.0.2.98 (127.0.0.4); wl lists 192.0.2.98;
    /// dbl lists spam.example.
    static let zones = [
        "zen.test": """
        $ORIGIN zen.test.
        $TTL 300
        @ IN SOA ns.zen.test. admin.zen.test. 1 3600 600 86400 60
        @ IN NS ns.zen.test.
        99.2.0.192 IN A 127.0.0.2
        99.2.0.192 IN TXT "https://check.zen.test/query/ip/192.0.2.99"
        98.2.0.192 IN A 127.0.0.4
        97.2.0.192 IN A 127.255.255.254
        """,
        "wl.test": """
        $ORIGIN wl.test.
        $TTL 300
        @ IN SOA ns.wl.test. admin.wl.test. 1 3600 600 86400 60
        @ IN NS ns.wl.test.
        98.2.0.192 IN A 127.0.10.1
        """,
        "dbl.test": """
        $ORIGIN dbl.test.
        $TTL 300
        @ IN SOA ns.dbl.test. admin.dbl.test. 1 3600 600 86400 60
        @ IN NS ns.dbl.test.
        spam.example IN A 127.0.1.2
        """,
    ]

    static func rules(resolver: String) -> String {
        """
        dnslist zen zen.test 127.0.0.2-127.0.0.11
        dnslist wl wl.test
        dnslist dbl dbl.test 127.0.1.0/24
        set resolver \(resolver)
        addr listed wl accept session
        addr listed zen reject 554 "5.7.1 Listed in zen, see $txt"
        mail listed dbl reject 550 "5.7.1 Sender domain listed"

        """
    }

    @Test("listed clients are refused with the list's reply and TXT, a whitelisted one accepted, the sender's domain checked at MAIL")
    func goldenAnswers() throws {
        let server = try NSDServer(zones: Self.zones)
        defer { server.stop() }
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules(resolver: server.address)))
        func connect(_ session: UInt64, _ address: String) throws -> String {
            try smtpd.report("link-connect", session: session, parameters: "mx.example|pass|\(address):4000|192.0.2.1:25")
            return try smtpd.query("connect", session: session, parameters: "mx.example|\(address)")
        }
        #expect(
            try connect(1, "192.0.2.99")
                == "filter-result|0000000000000001|0000000000001001|reject|554 5.7.1 Listed in zen, see https://check.zen.test/query/ip/192.0.2.99")
        // In zen and in the whitelist: the whitelist comes first.
        #expect(try connect(2, "192.0.2.98") == "filter-result|0000000000000002|0000000000001002|proceed")
        #expect(try smtpd.query("mail-from", session: 2, parameters: "<a@spam.example>") == "filter-result|0000000000000002|0000000000001003|proceed")
        #expect(try connect(3, "192.0.2.10") == "filter-result|0000000000000003|0000000000001004|proceed")
        #expect(try smtpd.query("mail-from", session: 3, parameters: "<a@clean.example>") == "filter-result|0000000000000003|0000000000001005|proceed")
        #expect(
            try smtpd.query("mail-from", session: 3, parameters: "<b@Spam.Example>")
                == "filter-result|0000000000000003|0000000000001006|reject|550 5.7.1 Sender domain listed")
        // A resolver refused by the list (127.255.255.254): not a listing, and a warning that says what to do.
        #expect(try connect(4, "192.0.2.97") == "filter-result|0000000000000004|0000000000001007|proceed")
        #expect(waitForLog(process, containing: "refuses this resolver"))
        #expect(process.stderrText.contains("local recursive resolver"))
    }

    @Test("a zone that answers every name (a wildcard): nobody is refused, and the log says what is wrong")
    func wildcardZone() throws {
        let wild = """
            $ORIGIN zen.test.
            $TTL 300
            @ IN SOA ns.zen.test. admin.zen.test. 1 3600 600 86400 60
            @ IN NS ns.zen.test.
            * IN A 127.0.0.2
            """
        let server = try NSDServer(zones: ["zen.test": wild])
        defer { server.stop() }
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules(resolver: server.address)))
        for session in UInt64(1)...3 {
            let address = "192.0.2.\(10 + session)"
            try smtpd.report("link-connect", session: session, parameters: "c|pass|\(address):1|192.0.2.1:25")
            #expect(
                try smtpd.query("connect", session: session, parameters: "c|\(address)")
                    == "filter-result|000000000000000\(session)|000000000000100\(session)|proceed")
        }
        #expect(waitForLog(process, containing: "answers every name"))
        #expect(process.stderrText.contains("DNS list zen (zen.test) answers every name: 255.255.255.255.zen.test is listed (127.0.0.2)"))
    }

    @Test("scores from two lists add up and refuse at the next step; the log line shows the score and its parts")
    func scores() throws {
        let server = try NSDServer(zones: Self.zones)
        defer { server.stop() }
        let rules = """
            dnslist zen zen.test 127.0.0.2-127.0.0.11
            dnslist wl wl.test
            set resolver \(server.address)
            addr listed zen score 6
            addr listed wl score -4
            score >= 5 reject 550 "5.7.1 Score $score ($symbols)"

            """
        let file = try TemporaryRulesFile(rules)
        let (process, smtpd, _) = try startLineServing(file)
        try smtpd.report("link-connect", session: 1, parameters: "a|pass|192.0.2.99:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 1, parameters: "a|192.0.2.99") == "filter-result|0000000000000001|0000000000001001|proceed")
        #expect(
            try smtpd.query("ehlo", session: 1, parameters: "x.example")
                == "filter-result|0000000000000001|0000000000001002|reject|550 5.7.1 Score 6 (\(file.path):4(6))")
        // Listed in both: 6 - 4 stays below 5.
        try smtpd.report("link-connect", session: 2, parameters: "b|pass|192.0.2.98:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 2, parameters: "b|192.0.2.98") == "filter-result|0000000000000002|0000000000001003|proceed")
        #expect(try smtpd.query("ehlo", session: 2, parameters: "y.example") == "filter-result|0000000000000002|0000000000001004|proceed")
        #expect(waitForLog(process, containing: "session 0000000000000001 helo"))
        #expect(
            process.stderrText.contains(
                "notice: session 0000000000000001 helo \(file.path):6 reject 550 5.7.1 Score 6 (\(file.path):4(6)), matched \"x.example\", "
                    + "score 6 (\(file.path):4(6))"))
    }

    @Test("line protocol: a message tagged on its final score is held and gets the score's headers at its top")
    func taggedOnScore() throws {
        let server = try NSDServer(zones: Self.zones)
        defer { server.stop() }
        let rules = """
            dnslist zen zen.test 127.0.0.2-127.0.0.11
            set resolver \(server.address)
            addr listed zen score 4
            header Subject /offer/i score 2
            score >= 5 add-header "X-Spam-Score: $score"
            score >= 5 junk

            """
        let (_, smtpd, registration) = try startLineServing(try TemporaryRulesFile(rules))
        #expect(LineServeTests.filterPhases(registration) == LineServeTests.envelopePhases + ["data-line", "commit"])
        try smtpd.report("link-connect", session: 3, parameters: "c|pass|192.0.2.99:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 3, parameters: "c|192.0.2.99") == "filter-result|0000000000000003|0000000000001001|proceed")
        let lines: [[UInt8]] = [Array("Subject: An offer".utf8), [], Array("body".utf8)]
        #expect(try smtpd.message(lines, session: 3) == [Array("X-Spam: Yes".utf8), Array("X-Spam-Score: 6".utf8)] + lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: 3) == "filter-result|0000000000000003|0000000000001003|proceed")
        // Below the threshold: the message comes back as it was.
        let plain: [[UInt8]] = [Array("Subject: hello".utf8), [], Array("body".utf8)]
        #expect(try smtpd.message(plain, session: 3) == plain + [[UInt8(ascii: ".")]])
    }

    @Test("1,000 sessions connect at once, each needing a lookup: every one answered once, the listed ones refused")
    func thousandSessions() throws {
        let server = try NSDServer(zones: Self.zones)
        defer { server.stop() }
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules(resolver: server.address)))
        var expected: [UInt64: String] = [:]
        for index in 0..<1_000 {
            let session = UInt64(0x1000 + index)
            // Every 100th session comes from the listed 192.0.2.99; the others from addresses nsd does not know.
            let address = index % 100 == 0 ? "192.0.2.99" : "198.51.\(100 + index / 250).\(index % 250 + 1)"
            try smtpd.report("link-connect", session: session, parameters: "c|pass|\(address):1|192.0.2.1:25")
            let token = UInt64(0x5000 + index)
            try smtpd.request("connect", session: session, token: token, parameters: Array("c|\(address)".utf8))
            let head = "filter-result|\(LineDaemonDouble.hex(session))|\(LineDaemonDouble.hex(token))|"
            expected[token] = head + (index % 100 == 0 ? "reject|554 5.7.1 Listed in zen, see https://check.zen.test/query/ip/192.0.2.99" : "proceed")
        }
        var answered: [UInt64: String] = [:]
        for _ in 0..<1_000 {
            let line = try smtpd.receiveLine(timeout: 20)
            let fields = line.split(separator: "|")
            let token = try #require(fields.count >= 4 ? UInt64(fields[2], radix: 16) : nil, "\(line)")
            #expect(answered[token] == nil, "answered twice: \(line)")
            answered[token] = line
        }
        #expect(answered == expected)
    }

    @Test("a session accepted for good asks no more lists: its EHLO is not held by a slow one")
    func settledSessionAsksNothing() throws {
        let slow = try ScriptedDNSServer { query in .send(ScriptedDNSServer.answer(to: query, rcode: 3), delay: .milliseconds(800)) }
        defer { slow.stop() }
        let rules = """
            dnslist dbl dbl.test
            set resolver \(slow.address)
            addr 192.0.2.98 accept session
            helo listed dbl reject

            """
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(rules))
        try smtpd.report("link-connect", session: 1, parameters: "a|pass|192.0.2.98:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 1, parameters: "a|192.0.2.98") == "filter-result|0000000000000001|0000000000001001|proceed")
        let start = Date()
        #expect(try smtpd.query("ehlo", session: 1, parameters: "mx.example") == "filter-result|0000000000000001|0000000000001002|proceed")
        #expect(Date().timeIntervalSince(start) < 0.5, "the EHLO waited for a list that could not change it")
        #expect(slow.queryCount == 0)
        // Another session is not settled: its EHLO waits for the list.
        try smtpd.report("link-connect", session: 2, parameters: "b|pass|192.0.2.10:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 2, parameters: "b|192.0.2.10") == "filter-result|0000000000000002|0000000000001003|proceed")
        #expect(try smtpd.query("ehlo", session: 2, parameters: "mx.example") == "filter-result|0000000000000002|0000000000001004|proceed")
        #expect(slow.queryCount >= 1)
    }

    @Test("a session waiting for a slow list holds no other session's answer")
    func slowListHoldsNobody() throws {
        let slow = try ScriptedDNSServer { query in
            .send(ScriptedDNSServer.answer(to: query, rcode: 3), delay: .milliseconds(800))
        }
        defer { slow.stop() }
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules(resolver: slow.address)))
        try smtpd.report("link-connect", session: 1, parameters: "a|pass|192.0.2.50:1|192.0.2.1:25")
        try smtpd.report("link-connect", session: 2, parameters: "b|pass|192.0.2.51:1|192.0.2.1:25")
        let start = Date()
        try smtpd.request("connect", session: 1, token: 0xa1, parameters: Array("a|192.0.2.50".utf8))
        try smtpd.request("rcpt-to", session: 2, token: 0xb2, parameters: Array("<x@example.org>".utf8))
        let first = try smtpd.receiveLine()
        let firstAfter = Date().timeIntervalSince(start)
        let second = try smtpd.receiveLine()
        let secondAfter = Date().timeIntervalSince(start)
        #expect(first == "filter-result|0000000000000002|00000000000000b2|proceed")
        #expect(firstAfter < 0.5, "the other session waited \(firstAfter) s")
        #expect(second == "filter-result|0000000000000001|00000000000000a1|proceed")
        #expect(secondAfter >= 0.7, "answered after \(secondAfter) s, before the lookups")
    }

    @Test("on-failure tempfail: with the DNS server silent the step is answered 451 after the timeout, and logged why")
    func silentServerTempfails() throws {
        let silent = try ScriptedDNSServer { _ in .silence }
        defer { silent.stop() }
        let rules = """
            dnslist zen zen.test 127.0.0.2-127.0.0.11 on-failure tempfail
            set resolver \(silent.address)
            addr listed zen reject 554 "5.7.1 Listed in zen"

            """
        let file = try TemporaryRulesFile(rules)
        let (process, smtpd, _) = try startLineServing(file)
        try smtpd.report("link-connect", session: 1, parameters: "a|pass|192.0.2.99:1|192.0.2.1:25")
        #expect(
            try smtpd.query("connect", session: 1, parameters: "a|192.0.2.99", timeout: 10)
                == "filter-result|0000000000000001|0000000000001001|reject|451 4.7.1 Could not check a DNS list, try again later")
        #expect(waitForLog(process, containing: "DNS list zen could not be checked (timeout)"))
    }

    @Test("a DNS server that never answers: the mail flows after the lookup's timeout")
    func silentServer() throws {
        let silent = try ScriptedDNSServer { _ in .silence }
        defer { silent.stop() }
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules(resolver: silent.address)))
        try smtpd.report("link-connect", session: 1, parameters: "a|pass|192.0.2.99:1|192.0.2.1:25")
        let start = Date()
        #expect(try smtpd.query("connect", session: 1, parameters: "a|192.0.2.99", timeout: 10) == "filter-result|0000000000000001|0000000000001001|proceed")
        let took = Date().timeIntervalSince(start)
        #expect(took >= 1.8 && took < 4, "took \(took) s")
    }
}

/// The same DNS lists on filter API 52 (OpenSMTPD 6.0.x): deferred answers through the
/// library's session, against nsd and a slow server.
@Suite(
    "filter-rules serve: DNS lists on filter API 52", .serialized,
    .enabled(if: NSDServer.isInstalled, "needs /usr/sbin/nsd (Debian package nsd; scripts/test installs it)"))
struct DNSListV52ServeTests {
    @Test("a listed client is refused with the list's reply and TXT, a whitelisted one accepted, the sender's domain at MAIL")
    func goldenAnswers() throws {
        let server = try NSDServer(zones: DNSListServeTests.zones)
        defer { server.stop() }
        let (_, smtpd) = try startServing(try TemporaryRulesFile(DNSListServeTests.rules(resolver: server.address)))
        let listed = try connect(smtpd, session: 1, address: [192, 0, 2, 99])
        #expect(listed.status == 1 && listed.code == 554)
        #expect(listed.line == "5.7.1 Listed in zen, see https://check.zen.test/query/ip/192.0.2.99")
        #expect(try connect(smtpd, session: 2, address: [192, 0, 2, 98]).status == 0)
        #expect(try connect(smtpd, session: 3, address: [192, 0, 2, 10]).status == 0)
        let clean = try smtpd.ask(.mail, session: 3, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "clean.example"))
        #expect(clean.status == 0)
        let spam = try smtpd.ask(.mail, session: 3, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "spam.example"))
        #expect(spam.status == 1 && spam.code == 550 && spam.line == "5.7.1 Sender domain listed")
    }

    @Test("a session waiting for a slow list holds no other session's answer")
    func slowListHoldsNobody() throws {
        let slow = try ScriptedDNSServer { query in
            .send(ScriptedDNSServer.answer(to: query, rcode: 3), delay: .milliseconds(800))
        }
        defer { slow.stop() }
        let (_, smtpd) = try startServing(try TemporaryRulesFile(DNSListServeTests.rules(resolver: slow.address)))
        // Session 2 gets to RCPT first (its connect waits for the slow list; a null sender looks nothing up).
        #expect(try connect(smtpd, session: 2, address: [192, 0, 2, 51]).status == 0)
        try smtpd.event(.txBegin, session: 2)
        #expect(try smtpd.ask(.mail, session: 2, extra: SMTPDDouble.mailaddrExtra(user: "", domain: "")).status == 0)
        try smtpd.event(.connect, session: 1)
        let start = Date()
        let waiting = try smtpd.sendQuery(
            .connect, session: 1, extra: SMTPDDouble.connectExtra(hostname: "a.example", remote: [192, 0, 2, 50]))
        let other = try smtpd.sendQuery(.rcpt, session: 2, extra: SMTPDDouble.mailaddrExtra(user: "x", domain: "example.org"))
        let first = try smtpd.expectResponse(to: other, .rcpt).response
        let firstAfter = Date().timeIntervalSince(start)
        let second = try smtpd.expectResponse(to: waiting, .connect).response
        let secondAfter = Date().timeIntervalSince(start)
        #expect(first.status == 0 && firstAfter < 0.5, "the other session waited \(firstAfter) s")
        #expect(second.status == 0 && secondAfter >= 0.7, "answered after \(secondAfter) s, before the lookups")
    }
}
