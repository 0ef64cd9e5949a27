import SMTPDTestDouble
import Testing

/// table-pcre under the double of smtpd 7.6+'s text table protocol: every request and
/// reply compared as whole lines.
@Suite("table-pcre through the smtpd 7.6+ text protocol double")
struct LineTablePCRETests {
    static let aliases = TablePCREServeTests.aliases

    @Test("the double's request lines are table_proc.c's, byte for byte")
    func requestGoldens() {
        #expect(
            LineTableDouble.configLines(name: "devs") == [
                "config|smtpd-version|7.8.0p1", "config|protocol|0.1", "config|tablename|devs", "config|ready",
            ])
        #expect(
            LineTableDouble.requestLine(table: "devs", operation: "update", service: nil, id: "478ff0d2", key: nil, timestamp: goldenTime)
                == "table|0.1|1764060000.000001|devs|update|478ff0d2")
        #expect(
            LineTableDouble.requestLine(table: "devs", operation: "check", service: "netaddr", id: "e5862859", key: "192.168.0.7", timestamp: goldenTime)
                == "table|0.1|1764060000.000001|devs|check|netaddr|e5862859|192.168.0.7")
        #expect(
            LineTableDouble.requestLine(table: "devs", operation: "lookup", service: "userinfo", id: "0f993c74", key: "op", timestamp: goldenTime)
                == "table|0.1|1764060000.000001|devs|lookup|userinfo|0f993c74|op")
        #expect(
            LineTableDouble.requestLine(table: "devs", operation: "fetch", service: "source", id: "189bd3ee", key: nil, timestamp: goldenTime)
                == "table|0.1|1764060000.000001|devs|fetch|source|189bd3ee")
        let id = LineTableDouble.makeID()
        #expect(id.count == 8 && id.allSatisfy(\.isHexDigit))
        let time = LineTableDouble.timestamp()
        #expect(time.split(separator: ".").map(\.count).last == 6)
    }

    @Test("the handshake registers every service but auth, as smtpd 7.6+ spells them")
    func registration() throws {
        let map = try mapFile(Self.aliases)
        let (smtpd, services) = try startLineTablePCRE(config: map.path)
        #expect(
            services == [
                "alias", "domain", "credentials", "netaddr", "userinfo", "source", "mailaddr",
                "addrname", "mailaddrmap", "relayhost", "string", "regex",
            ])
        #expect(smtpd.transcript.suffix(2) == ["< register|regex", "< register|ready"])
    }

    @Test("--service registers only the services named; maddrmap is the old spelling of mailaddrmap")
    func registeredServices() throws {
        let map = try mapFile(Self.aliases)
        let (smtpd, services) = try startLineTablePCRE(config: "\(map.path) --service maddrmap,alias --service regex")
        #expect(services == ["alias", "mailaddrmap", "regex"])
        #expect(try smtpd.lookup(service: "alias", key: "postmaster", id: "00000001").line == "lookup-result|00000001|found|root")
        #expect(try smtpd.lookup(service: "mailaddrmap", key: "postmaster", id: "00000002").line == "lookup-result|00000002|found|root")
        #expect(try smtpd.check(service: "regex", key: "postmaster", id: "00000003").line == "check-result|00000003|found")
        #expect(try smtpd.lookup(service: "domain", key: "postmaster", id: "00000004").line == "lookup-result|00000004|not-found")
        #expect(try smtpd.fetch(service: "source", id: "00000005").line == "fetch-result|00000005|not-found")
    }

    @Test("lookup, check and fetch replies, byte for byte")
    func replyGoldens() throws {
        let map = try mapFile(Self.aliases)
        let (smtpd, _) = try startLineTablePCRE(config: map.path)
        #expect(try smtpd.lookup(service: "alias", key: "john.doe", id: "b72508d0").line == "lookup-result|b72508d0|found|john_doe")
        #expect(
            try smtpd.lookup(service: "alias", key: "root", id: "0000beef").line
                == "lookup-result|0000beef|found|admin@example.org, ops@example.org")
        #expect(try smtpd.lookup(service: "alias", key: "nobody@", id: "ffffffff").line == "lookup-result|ffffffff|not-found")
        #expect(try smtpd.check(service: "alias", key: "a.b", id: "e5862859").line == "check-result|e5862859|found")
        #expect(try smtpd.check(service: "alias", key: "nobody", id: "e586285a").line == "check-result|e586285a|not-found")
        // Case-insensitive by default, as Postfix: /^postmaster$/ matches POSTMASTER.
        #expect(try smtpd.check(service: "alias", key: "POSTMASTER", id: "e586285b").line == "check-result|e586285b|found")
        let fetched = try (0..<3).map { try smtpd.fetch(service: "source", id: String(format8: $0)).line }
        #expect(
            fetched == [
                "fetch-result|00000000|found|root",
                "fetch-result|00000001|found|admin@example.org, ops@example.org",
                "fetch-result|00000002|found|root",
            ])
        // The transcript: one reply per request, in order.
        let sent = smtpd.transcript.filter { $0.hasPrefix("> table|") }.count
        let received = smtpd.transcript.filter { $0.hasPrefix("< ") && !$0.hasPrefix("< register|") }.count
        #expect(sent == 9 && received == 9)
    }

    @Test("the key is the last field: a | in it is part of the key")
    func keyWithBar() throws {
        let map = try mapFile("/^a\\|b\\|(c)$/ got-$1\n/^$/ empty-key\n")
        let (smtpd, _) = try startLineTablePCRE(config: map.path)
        #expect(try smtpd.lookup(service: "alias", key: "a|b|c", id: "0000000a").line == "lookup-result|0000000a|found|got-c")
        #expect(try smtpd.lookup(service: "alias", key: "", id: "0000000b").line == "lookup-result|0000000b|found|empty-key")
    }

    @Test("update: ok, or error with the first map error and the old map kept")
    func update() throws {
        let map = try mapFile("/^a$/ first\n")
        let (smtpd, _) = try startLineTablePCRE(config: map.path)
        #expect(try smtpd.lookup(service: "alias", key: "a", id: "00000001").line == "lookup-result|00000001|found|first")
        try map.write("/^a$/ second\n/^b(/ broken\n")
        #expect(
            try smtpd.update(id: "478ff0d2").line
                == "update-result|478ff0d2|error|\(map.path): 1 error(s), keeping the previous map; first: \(map.path):2:5: regex error: missing closing "
                + "parenthesis (PCRE2 at offset 3)"
        )
        #expect(try smtpd.lookup(service: "alias", key: "a", id: "00000002").line == "lookup-result|00000002|found|first")
        try map.write("/^a$/ third\n")
        #expect(try smtpd.update(id: "478ff0d3").line == "update-result|478ff0d3|ok")
        #expect(try smtpd.lookup(service: "alias", key: "a", id: "00000003").line == "lookup-result|00000003|found|third")
    }

    @Test("a key that makes matching hit the limit answers error with the rule's location")
    func matchLimit() throws {
        let map = try mapFile("/^(a+)+$/ x\n")
        let (smtpd, _) = try startLineTablePCRE(config: map.path)
        let answer = try smtpd.lookup(service: "alias", key: String(repeating: "a", count: 40) + "b", id: "0000abcd")
        #expect(answer.line.hasPrefix("lookup-result|0000abcd|error|\(map.path):1: "), "\(answer)")
        let check = try smtpd.check(service: "alias", key: String(repeating: "a", count: 40) + "b", id: "0000abce")
        #expect(check.line.hasPrefix("check-result|0000abce|error|\(map.path):1: "), "\(check)")
        #expect(smtpd.process.stderrText.contains("lookup callback failed, answering error: \(map.path):1: "))
    }

    @Test("a service smtpd 7.8 does not define is answered error, and the table goes on")
    func unknownService() throws {
        let map = try mapFile(Self.aliases)
        let (smtpd, _) = try startLineTablePCRE(config: map.path)
        try smtpd.send(
            line: LineTableDouble.requestLine(
                table: "aliases", operation: "lookup", service: "mailbox", id: "00000001",
                key: "root", timestamp: goldenTime))
        #expect(try smtpd.receiveLine() == "lookup-result|00000001|error|unknown service mailbox")
        #expect(try smtpd.lookup(service: "alias", key: "root", id: "00000002").result == .value("admin@example.org, ops@example.org"))
    }

    @Test("the end of input ends table-pcre with exit 0")
    func endOfInput() throws {
        let map = try mapFile(Self.aliases)
        let (smtpd, _) = try startLineTablePCRE(config: map.path)
        smtpd.process.channel.closeChannel()
        #expect(smtpd.process.waitForExit(timeout: 2) == .exited(0))
    }

    @Test("--protocol line forces the text protocol, --protocol api2 the imsg one")
    func forcedProtocol() throws {
        let map = try mapFile(Self.aliases)
        let forced = try LineTableDouble.start(executable: tablePCREPath, name: "aliases", config: "--protocol line \(map.path)")
        #expect(try forced.handshake().first == "alias")
        let wrong = try LineTableDouble.start(executable: tablePCREPath, name: "aliases", config: "--protocol api2 \(map.path)")
        for line in LineTableDouble.configLines(name: "aliases") { try wrong.send(line: line) }
        #expect(wrong.process.waitForExit(timeout: 2) == .exited(1))
        #expect(wrong.process.stderrText.contains("imsg frame length"), "\(wrong.process.stderrText)")
    }
}

extension String {
    /// `value` as 8 lowercase hex digits (`%08x`).
    init(format8 value: Int) {
        let digits = String(value, radix: 16)
        self = String(repeating: "0", count: 8 - digits.count) + digits
    }
}
