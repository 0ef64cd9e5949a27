import SMTPDTestDouble
import Testing

let tablePCREPath = FilterProcess.builtExecutable(named: "table-pcre")

/// Starts `table-pcre` as smtpd 6.0.x does for `table NAME "pcre:CONFIG"` and opens it.
func startTablePCRE(config: String, name: String = "aliases") throws -> TableDouble {
    let smtpd = try TableDouble.start(executable: tablePCREPath, name: name, config: config)
    try smtpd.open(name: name)
    return smtpd
}

@Suite("table-pcre through the smtpd double")
struct TablePCREServeTests {
    static let aliases = """
        # aliases for example.org
        /^postmaster$/              root
        /^(.+)\\.(.+)$/             $1_$2
        /^([a-z]+)\\+[^@]*$/        $1
        /^root$/                    admin@example.org, ops@example.org

        """

    static let alias = TableWire.Service.alias.rawValue
    static let domain = TableWire.Service.domain.rawValue
    static let source = TableWire.Service.source.rawValue

    @Test("LOOKUP answers the expanded value of the first match, byte for byte")
    func lookupGolden() throws {
        let map = try mapFile(Self.aliases)
        let smtpd = try startTablePCRE(config: map.path)
        let pid = UInt32(smtpd.process!.pid)
        let answer = try smtpd.lookup(service: Self.alias, key: "john.doe")
        // type 0, len 16 + 4 + 9, r 1, "john_doe\0".
        #expect(answer.frame.bytes == [0, 0, 0, 0, 29, 0, 0, 0, 0, 0, 0, 0] + le32(pid) + [1, 0, 0, 0] + Array("john_doe".utf8) + [0])
        #expect(try smtpd.lookup(service: Self.alias, key: "Alice+lists").value == "Alice")
        #expect(try smtpd.lookup(service: Self.alias, key: "postmaster").value == "root")
        let missing = try smtpd.lookup(service: Self.alias, key: "nobody@")
        #expect(missing.frame.bytes == [0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0] + le32(pid) + [0, 0, 0, 0])
    }

    @Test("CHECK answers whether some line matches")
    func check() throws {
        let map = try mapFile(Self.aliases)
        let smtpd = try startTablePCRE(config: map.path)
        #expect(try smtpd.check(service: Self.alias, key: "root").result == 1)
        #expect(try smtpd.check(service: Self.alias, key: "a.b").result == 1)
        #expect(try smtpd.check(service: Self.alias, key: "nobody").result == 0)
    }

    @Test("FETCH returns the values without group references in turn")
    func fetchCycles() throws {
        let map = try mapFile(Self.aliases)
        let smtpd = try startTablePCRE(config: map.path)
        var values: [String?] = []
        for _ in 0..<3 { values.append(try smtpd.fetch(service: Self.source).value) }
        #expect(values == ["root", "admin@example.org, ops@example.org", "root"])
    }

    @Test("--service restricts the answers; smtpd passes the options glued to the path")
    func serviceRestriction() throws {
        let map = try mapFile(Self.aliases)
        let smtpd = try startTablePCRE(config: "\(map.path) --service alias,domain")
        #expect(try smtpd.lookup(service: Self.alias, key: "postmaster").value == "root")
        #expect(try smtpd.check(service: Self.domain, key: "postmaster").result == 1)
        #expect(try smtpd.lookup(service: TableWire.Service.credentials.rawValue, key: "postmaster").result == 0)
        #expect(try smtpd.check(service: TableWire.Service.netaddr.rawValue, key: "postmaster").result == 0)
        #expect(try smtpd.fetch(service: Self.source).result == 0)
    }

    @Test("UPDATE re-reads the map, keeps the old one when the new one has errors")
    func update() throws {
        let map = try mapFile("/^a$/ first\n")
        let smtpd = try startTablePCRE(config: map.path)
        #expect(try smtpd.lookup(service: Self.alias, key: "a").value == "first")
        try map.write("/^a$/ second\n/^b(/ broken\n")
        let failed = try smtpd.update()
        #expect(failed.result == 0)
        #expect(try smtpd.lookup(service: Self.alias, key: "a").value == "first")
        let log = smtpd.process!.stderrText
        #expect(log.contains("\(map.path):2:5: regex error: missing closing parenthesis (PCRE2 at offset 3)"), "\(log)")
        #expect(log.contains("\(map.path): 1 error(s), keeping the previous map (1 entries)"))
        try map.write("/^a$/ third\n")
        #expect(try smtpd.update().frame.payload == [1, 0, 0, 0])
        #expect(try smtpd.lookup(service: Self.alias, key: "a").value == "third")
    }

    @Test("a key that makes matching hit the limit answers r -1")
    func matchLimit() throws {
        let map = try mapFile("/^(a+)+$/ x\n")
        let smtpd = try startTablePCRE(config: map.path)
        let answer = try smtpd.lookup(service: Self.alias, key: String(repeating: "a", count: 40) + "b")
        #expect(answer.frame.payload == [0xff, 0xff, 0xff, 0xff])
        #expect(smtpd.process!.stderrText.contains("lookup callback failed, answering temporary failure: \(map.path):1: "))
    }

    @Test("a map with errors at start-up: every error logged, exit 1")
    func badMapAtStart() throws {
        let map = try mapFile("/a/ ok\nnot a regex\n/b/z x\n")
        let smtpd = try TableDouble.start(executable: tablePCREPath, name: "aliases", config: map.path)
        let process = try #require(smtpd.process)
        #expect(process.waitForExit(timeout: 2) == .exited(1))
        let log = process.stderrText
        #expect(log.contains("\(map.path):2:1: expected a /regex/ at the start of the line, found 'not'"), "\(log)")
        #expect(log.contains("\(map.path):3:4: unknown flag 'z', expected one of i, m, s, x, u (each toggles; X is accepted and ignored)"))
        #expect(log.contains("\(map.path): 2 error(s), not starting"))
    }

    @Test("CLOSE ends it with exit 0; malformed input with exit 1")
    func closeAndBadInput() throws {
        let map = try mapFile(Self.aliases)
        let closing = try startTablePCRE(config: map.path)
        try closing.close()
        #expect(closing.process?.waitForExit(timeout: 1) == .exited(0))
        let bad = try startTablePCRE(config: map.path)
        try bad.channel.send(type: TableWire.MessageType.lookup.rawValue, payload: [1, 0, 0, 0])
        #expect(bad.process?.waitForExit(timeout: 1) == .exited(1))
        #expect(bad.process!.stderrText.contains("PROC_TABLE_LOOKUP: payload too short"))
    }
}

@Suite("table-pcre check and lookup commands")
struct TablePCRECommandTests {
    @Test("check: exit 0 and the entry count for a good map")
    func checkGood() throws {
        let map = try mapFile(TablePCREServeTests.aliases)
        let result = try runTablePCRE(["check", map.path])
        #expect(result.status == 0)
        #expect(result.standardOutput == "\(map.path): OK, 4 entries, 2 without group references\n")
    }

    @Test("check: exit 1 and every error, in file order")
    func checkBad() throws {
        let map = try mapFile("/a(/ x\n# fine\n/b/ $2\nword\n")
        let result = try runTablePCRE(["check", map.path])
        #expect(result.status == 1)
        #expect(
            result.standardError == """
                \(map.path):1:4: regex error: missing closing parenthesis (PCRE2 at offset 2)
                \(map.path):3:5: the value refers to group 2, but the regex has 0 capture group(s)
                \(map.path):4:1: expected a /regex/ at the start of the line, found 'word'
                \(map.path): 3 error(s)

                """)
    }

    @Test("check: exit 1 for a file that cannot be read")
    func checkMissing() throws {
        let result = try runTablePCRE(["check", "/nonexistent/map.pcre"])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("/nonexistent/map.pcre: cannot read the file: "))
    }

    @Test("lookup: exit 0 with the value, 1 when not found, 2 on errors")
    func lookup() throws {
        let map = try mapFile(TablePCREServeTests.aliases)
        let found = try runTablePCRE(["lookup", map.path, "jane.roe"])
        #expect(found.status == 0)
        #expect(found.standardOutput == "jane_roe\n")
        let missing = try runTablePCRE(["lookup", map.path, "nobody"])
        #expect(missing.status == 1)
        #expect(missing.standardOutput.isEmpty)
        let bad = try mapFile("/a(/ x\n")
        let broken = try runTablePCRE(["lookup", bad.path, "a"])
        #expect(broken.status == 2)
        #expect(broken.standardError.contains("\(bad.path):1:4: regex error"))
        let usage = try runTablePCRE(["lookup", map.path])
        #expect(usage.status == 2)
        let limit = try mapFile("/^(a+)+$/ x\n")
        let failed = try runTablePCRE(["lookup", limit.path, String(repeating: "a", count: 40) + "b"])
        #expect(failed.status == 2)
        #expect(failed.standardError.contains("\(limit.path):1: "))
    }

    @Test("an unknown service is a usage error")
    func unknownService() throws {
        let map = try mapFile(TablePCREServeTests.aliases)
        let result = try runTablePCRE(["--service", "mailbox", map.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("unknown service 'mailbox', expected one of alias, domain, credentials"))
    }
}
