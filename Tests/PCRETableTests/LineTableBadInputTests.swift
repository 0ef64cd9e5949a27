import SMTPDTestDouble
import Testing

/// Lines that are not smtpd 7.6+'s table protocol end table-pcre with a clear message and
/// exit status 1 within a second, with no reply to the bad line (smtpd would exit on a
/// reply it cannot parse; a table that ends makes smtpd log the reason and exit).
@Suite("Bad input to a text-protocol table")
struct LineTableBadInputTests {
    /// A case: the lines sent after a complete handshake (or instead of it), and the text stderr must contain.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var lines: [String]
        var afterHandshake = true
        var message: String
        var description: String { name }
    }

    static func request(_ rest: String) -> String { "table|0.1|\(goldenTime)|aliases|" + rest }

    static let cases: [Case] = [
        Case(
            name: "bad request version", lines: ["table|0.2|\(goldenTime)|aliases|update|00000001"],
            message: "unsupported table protocol version '0.2' (this table speaks 0.1): table|0.2|"),
        Case(
            name: "bad handshake version", lines: ["config|smtpd-version|7.9.0", "config|protocol|1.0"], afterHandshake: false,
            message: "unsupported table protocol version '1.0' (this table speaks 0.1): config|protocol|1.0"),
        Case(
            name: "unknown operation", lines: [request("delete|alias|00000001|root")],
            message: "malformed line from smtpd: unknown operation 'delete': table|0.1|"),
        Case(
            name: "missing operation", lines: [request("")],
            message: "malformed line from smtpd: missing operation"),
        Case(
            name: "lookup without an id", lines: [request("lookup|alias|root")],
            message: "malformed line from smtpd: request id 'root' is not 1 to 16 hexadecimal digits"),
        Case(
            name: "lookup with an id, without a key", lines: [request("lookup|alias|0000beef")],
            message: "malformed line from smtpd: missing key"),
        Case(
            name: "check without service and id", lines: [request("check")],
            message: "malformed line from smtpd: missing service"),
        Case(
            name: "update without an id", lines: [request("update")],
            message: "malformed line from smtpd: missing request id"),
        Case(
            name: "update with an empty id", lines: [request("update|")],
            message: "malformed line from smtpd: missing request id"),
        Case(
            name: "update with more fields", lines: [request("update|00000001|x")],
            message: "malformed line from smtpd: update takes only a request id"),
        Case(
            name: "fetch with a key", lines: [request("fetch|source|00000001|x")],
            message: "malformed line from smtpd: fetch takes no key"),
        Case(
            name: "id of 17 digits", lines: [request("update|0123456789abcdef0")],
            message: "is not 1 to 16 hexadecimal digits"),
        Case(
            name: "bad timestamp", lines: ["table|0.1|now|aliases|update|00000001"],
            message: "malformed line from smtpd: timestamp 'now' is not SECONDS.MICROSECONDS"),
        Case(
            name: "another table", lines: ["table|0.1|\(goldenTime)|users|update|00000001"],
            message: "request for another table than 'aliases'"),
        Case(
            name: "not the protocol", lines: ["hello"],
            message: "malformed line from smtpd: expected a config| or table| line: hello"),
        Case(
            name: "empty line", lines: [""],
            message: "malformed line from smtpd: expected a config| or table| line"),
        Case(
            name: "config after config|ready", lines: ["config|ready"],
            message: "config line after config|ready: config|ready"),
        Case(
            name: "request before config|ready", lines: ["config|protocol|0.1", request("update|00000001")], afterHandshake: false,
            message: "request before config|ready"),
        Case(
            name: "config|ready without config|protocol", lines: ["config|tablename|aliases", "config|ready"], afterHandshake: false,
            message: "config|ready before config|protocol"),
        Case(
            name: "config line without a value", lines: ["config|protocol"], afterHandshake: false,
            message: "malformed line from smtpd: expected config|KEY|VALUE or config|ready: config|protocol"),
    ]

    @Test("ends with a clear message and exit status 1 within a second, without a reply", arguments: cases)
    func endsCleanly(_ input: Case) throws {
        let map = try mapFile(TablePCREServeTests.aliases)
        let smtpd = try LineTableDouble.start(executable: tablePCREPath, name: "aliases", config: map.path)
        if input.afterHandshake { _ = try smtpd.handshake() }
        for line in input.lines { try smtpd.send(line: line) }
        let status = smtpd.process.waitForExit(timeout: 1)
        #expect(status == .exited(1), "\(input.name): \(status.map(String.init(describing:)) ?? "still running")")
        #expect(smtpd.process.stderrText.contains(input.message), "stderr was: \(smtpd.process.stderrText)")
        #expect(try !smtpd.lineArrives(within: 0.05), "no reply to a malformed line")
    }

    @Test("a line cut short by the end of input ends it with exit 1")
    func truncatedLine() throws {
        let map = try mapFile(TablePCREServeTests.aliases)
        let smtpd = try LineTableDouble.start(executable: tablePCREPath, name: "aliases", config: map.path)
        _ = try smtpd.handshake()
        try smtpd.send(bytes: Array(Self.request("lookup|alias|00000001|ro").utf8))
        smtpd.process.channel.closeChannel()
        #expect(smtpd.process.waitForExit(timeout: 1) == .exited(1))
        #expect(smtpd.process.stderrText.contains("channel closed in the middle of a line"), "\(smtpd.process.stderrText)")
    }

    @Test("the replies before a bad line are all sent")
    func repliesBeforeTheBadLine() throws {
        let map = try mapFile(TablePCREServeTests.aliases)
        let smtpd = try LineTableDouble.start(executable: tablePCREPath, name: "aliases", config: map.path)
        _ = try smtpd.handshake()
        try smtpd.send(bytes: Array((Self.request("check|alias|00000001|root\n") + Self.request("bogus|00000002\n")).utf8))
        #expect(try smtpd.receiveLine() == "check-result|00000001|found")
        #expect(smtpd.process.waitForExit(timeout: 1) == .exited(1))
        #expect(try !smtpd.lineArrives(within: 0.05))
    }

    @Test("--service auth is refused with a reason, before smtpd is spoken to")
    func authRefused() throws {
        let map = try mapFile(TablePCREServeTests.aliases)
        let result = try runTablePCRE(["--service", "alias,auth", map.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("table-pcre does not serve 'auth'"), "\(result.standardError)")
    }
}
