import Foundation
import SMTPDTestDouble
import Testing
import TestSupport

/// `header NAME listed` and `body links listed` under `serve`: the message's domains are
/// looked up through the real resolver (against Debian's nsd, a slow and a silent server)
/// while the message streams through, and its end is answered once they are in.
@Suite(
    "filter-rules serve: DNS lists on the message", .serialized,
    .enabled(if: NSDServer.isInstalled, "needs /usr/sbin/nsd (Debian package nsd; scripts/test installs it)"))
struct MessageListServeTests {
    static func rules(resolver: String) -> String {
        """
        dnslist dbl dbl.test 127.0.1.0/24
        set resolver \(resolver)
        header From listed dbl reject 550 "5.7.1 Sender domain listed"
        body links listed dbl reject 554 "5.7.1 Message links to a listed domain"

        """
    }

    static func lines(_ text: [String]) -> [[UInt8]] { text.map { Array($0.utf8) } }

    static let clean = lines(["From: Alice <alice@clean.example>", "Subject: hi", "", "See https://www.clean.example/x.", "bye"])
    static let listedLink = lines(["From: Bob <bob@clean.example>", "", "<a href=\"HTTP://Spam.Example/offer\">click</a>"])
    static let listedFrom = lines(["From: =?utf-8?q?Carol?= <carol@spam.example>", "", "no links"])

    /// Connects session `session` and runs a message through it: what came back, and the commit's answer.
    static func send(_ message: [[UInt8]], session: UInt64, _ smtpd: LineDaemonDouble, timeout: Double = 5) throws -> ([[UInt8]], String) {
        try smtpd.report("link-connect", session: session, parameters: "c|pass|192.0.2.10:1|192.0.2.1:25")
        let echoed = try smtpd.message(message, session: session, timeout: timeout)
        return (echoed, try smtpd.query("commit", session: session, timeout: timeout))
    }

    @Test("line protocol: a listed From domain or link refuses the message at its end; clean mail comes back byte for byte")
    func goldenAnswers() throws {
        let server = try NSDServer(zones: DNSListServeTests.zones)
        defer { server.stop() }
        let (_, smtpd, registration) = try startLineServing(try TemporaryRulesFile(Self.rules(resolver: server.address)))
        #expect(LineServeTests.filterPhases(registration).contains("commit"))
        let (echoed, answer) = try Self.send(Self.clean, session: 1, smtpd)
        #expect(echoed == Self.clean + [[UInt8(ascii: ".")]])
        #expect(answer == "filter-result|0000000000000001|0000000000001002|proceed")
        #expect(
            try Self.send(Self.listedLink, session: 2, smtpd).1
                == "filter-result|0000000000000002|0000000000001004|reject|554 5.7.1 Message links to a listed domain")
        #expect(
            try Self.send(Self.listedFrom, session: 3, smtpd).1
                == "filter-result|0000000000000003|0000000000001006|reject|550 5.7.1 Sender domain listed")
    }

    @Test("a message waiting for a slow list holds no other session's answer")
    func slowListHoldsNobody() throws {
        let slow = try ScriptedDNSServer { query in
            .send(ScriptedDNSServer.answer(to: query, rcode: 3), delay: .milliseconds(800))
        }
        defer { slow.stop() }
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules(resolver: slow.address)))
        try smtpd.report("link-connect", session: 1, parameters: "a|pass|192.0.2.50:1|192.0.2.1:25")
        try smtpd.report("link-connect", session: 2, parameters: "b|pass|192.0.2.51:1|192.0.2.1:25")
        let start = Date()
        _ = try smtpd.message(Self.clean, session: 1)
        try smtpd.request("commit", session: 1, token: 0xa1, parameters: [])
        try smtpd.request("rcpt-to", session: 2, token: 0xb2, parameters: Array("<x@example.org>".utf8))
        let first = try smtpd.receiveLine()
        let firstAfter = Date().timeIntervalSince(start)
        let second = try smtpd.receiveLine()
        let secondAfter = Date().timeIntervalSince(start)
        #expect(first == "filter-result|0000000000000002|00000000000000b2|proceed")
        #expect(firstAfter < 0.5, "the other session waited \(firstAfter) s")
        #expect(second == "filter-result|0000000000000001|00000000000000a1|proceed")
        #expect(secondAfter >= 0.7, "answered after \(secondAfter) s, before the lookups")
        #expect(slow.queryCount >= 2)
    }

    @Test("a DNS server that never answers: the message is accepted after the lookups' timeout, unchanged")
    func silentServer() throws {
        let silent = try ScriptedDNSServer { _ in .silence }
        defer { silent.stop() }
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules(resolver: silent.address)))
        let start = Date()
        let (echoed, answer) = try Self.send(Self.listedLink, session: 1, smtpd, timeout: 10)
        let took = Date().timeIntervalSince(start)
        #expect(echoed == Self.listedLink + [[UInt8(ascii: ".")]])
        #expect(answer == "filter-result|0000000000000001|0000000000001002|proceed")
        #expect(took >= 1.8 && took < 4, "took \(took) s")
    }

    @Test("a score from two lists and a header rule junks a message that links to a listed domain")
    func scoreJunks() throws {
        let server = try NSDServer(zones: DNSListServeTests.zones)
        defer { server.stop() }
        let rules = """
            dnslist zen zen.test 127.0.0.2-127.0.0.11
            dnslist dbl dbl.test 127.0.1.0/24
            set resolver \(server.address)
            addr listed zen score 2
            body links listed dbl score 3
            header Subject /offer/i score 1
            score >= 5 add-header "X-Spam-Score: $score"
            score >= 5 junk

            """
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(rules))
        try smtpd.report("link-connect", session: 1, parameters: "c|pass|192.0.2.99:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 1, parameters: "c|192.0.2.99") == "filter-result|0000000000000001|0000000000001001|proceed")
        let message = Self.lines(["Subject: An offer", "", "https://spam.example/"])
        #expect(try smtpd.message(message, session: 1) == Self.lines(["X-Spam: Yes", "X-Spam-Score: 6"]) + message + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: 1) == "filter-result|0000000000000001|0000000000001003|proceed")
        // Without the listed link: 3, below the threshold, and the message comes back as it was.
        let plain = Self.lines(["Subject: An offer", "", "https://clean.example/"])
        #expect(try smtpd.message(plain, session: 1) == plain + [[UInt8(ascii: ".")]])
    }

    @Test("filter API 52: a listed link refuses the message at its end, clean mail passes byte for byte")
    func v52() throws {
        let server = try NSDServer(zones: DNSListServeTests.zones)
        defer { server.stop() }
        let (_, smtpd) = try startServing(try TemporaryRulesFile(Self.rules(resolver: server.address)))
        for (session, message, code) in [(UInt64(1), Self.clean, Int32?.none), (2, Self.listedLink, 554), (3, Self.listedFrom, 550)] {
            #expect(try connect(smtpd, session: session).status == 0)
            try smtpd.event(.txBegin, session: session)
            #expect(try smtpd.ask(.data, session: session).status == 0)
            let bytes: [UInt8] = message.flatMap { line -> [UInt8] in line + [0x0a] }
            let result = try smtpd.pushMessage(bytes, session: session)
            #expect(result.output == bytes)
            if let code {
                #expect(result.response.status != 0 && result.response.code == code)
            } else {
                #expect(result.response.status == 0)
            }
        }
    }
}
