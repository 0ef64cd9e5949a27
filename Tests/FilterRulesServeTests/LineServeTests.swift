import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// Starts `filter-rules` as smtpd 6.6+ starts a `proc-exec` filter (one socket as stdin and
/// stdout, the rules file as argument) and completes the handshake.
func startLineServing(
    _ rules: TemporaryRulesFile, version: String = "0.6",
    extraArguments: [String] = []
) throws -> (process: FilterProcess, smtpd: LineDaemonDouble, registration: [String]) {
    let process = try FilterProcess(
        executable: FilterProcess.builtExecutable(named: "filter-rules"),
        name: "filter-rules", arguments: [rules.path] + extraArguments,
        channelOnStandardOutput: true)
    let smtpd = LineDaemonDouble(process: process, version: version)
    let registration = try smtpd.handshake()
    return (process, smtpd, registration)
}

/// The decision lines of a filter's log, from `session` on (without the level word).
func decisionLines(_ log: String) -> [String] {
    log.split(separator: "\n").compactMap { line in
        line.range(of: "session ").map { String(line[$0.lowerBound...]) }
    }
}

@Suite("filter-rules serve: line protocol (OpenSMTPD 6.6+)")
struct LineServeTests {
    static let rules = """
        addr 198.51.100.0/24 reject
        helo /^mx\\.example\\.org$/i reject 550 "5.7.1 You are not me"
        rcpt /^root@/ tempfail 450
        header Subject /cheap\\s+viagra/i reject 554 "5.7.1 No spam"
        body /^unsubscribe now$/ disconnect 421 "4.7.0 Bye"
        """

    /// The `register|filter|` lines of a registration.
    static func filterPhases(_ registration: [String]) -> [String] {
        registration.filter { $0.hasPrefix("register|filter|smtp-in|") }.map { String($0.dropFirst("register|filter|smtp-in|".count)) }
    }

    static let envelopePhases = ["connect", "helo", "ehlo", "mail-from", "rcpt-to"]

    @Test("detects the line protocol and registers the reports, every envelope phase, and the content phases for content rules")
    func registration() throws {
        let (_, _, registration) = try startLineServing(try TemporaryRulesFile(Self.rules))
        #expect(
            registration == [
                "register|report|smtp-in|link-connect",
                "register|report|smtp-in|link-disconnect",
                "register|report|smtp-in|tx-reset",
                "register|filter|smtp-in|connect",
                "register|filter|smtp-in|helo",
                "register|filter|smtp-in|ehlo",
                "register|filter|smtp-in|mail-from",
                "register|filter|smtp-in|rcpt-to",
                "register|filter|smtp-in|data-line",
                "register|filter|smtp-in|commit",
                "register|ready",
            ])
        let (_, _, bodyOnly) = try startLineServing(try TemporaryRulesFile("body /x/ reject\n"))
        #expect(Self.filterPhases(bodyOnly) == Self.envelopePhases + ["data-line", "commit"])
    }

    @Test("--content-phases: auto leaves data-line and commit out for envelope rules only; always registers them")
    func contentPhases() throws {
        let file = try TemporaryRulesFile("helo /x/ reject\n")
        let (_, _, automatic) = try startLineServing(file)
        #expect(Self.filterPhases(automatic) == Self.envelopePhases)
        let (_, _, explicitAuto) = try startLineServing(file, extraArguments: ["--content-phases", "auto"])
        #expect(Self.filterPhases(explicitAuto) == Self.envelopePhases)
        let (_, _, always) = try startLineServing(file, extraArguments: ["--content-phases", "always"])
        #expect(Self.filterPhases(always) == Self.envelopePhases + ["data-line", "commit"])
        let (_, _, empty) = try startLineServing(try TemporaryRulesFile("# no rules yet\n"), extraArguments: ["--content-phases", "always"])
        #expect(Self.filterPhases(empty) == Self.envelopePhases + ["data-line", "commit"])
    }

    @Test("answers every phase byte for byte, session before token (0.6)")
    func goldenAnswers() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd, _) = try startLineServing(file)
        let session: UInt64 = 0x0102030405060708
        try smtpd.report("link-connect", session: session, parameters: "mx.client.example|pass|192.0.2.7:40000|192.0.2.1:25")
        #expect(
            try smtpd.query("connect", session: session, parameters: "mx.client.example|192.0.2.7")
                == "filter-result|0102030405060708|0000000000001001|proceed")
        #expect(
            try smtpd.query("ehlo", session: session, parameters: "MX.example.org")
                == "filter-result|0102030405060708|0000000000001002|reject|550 5.7.1 You are not me")
        #expect(
            try smtpd.query("helo", session: session, parameters: "client.example")
                == "filter-result|0102030405060708|0000000000001003|proceed")
        #expect(
            try smtpd.query("rcpt-to", session: session, parameters: "<root@example.org>")
                == "filter-result|0102030405060708|0000000000001004|reject|450 4.7.1 Temporarily refused by policy, try again later")
        let output = try smtpd.message([Array("Subject: Cheap  VIAGRA".utf8), [], Array("hi".utf8)], session: session)
        #expect(output == [Array("Subject: Cheap  VIAGRA".utf8), [], Array("hi".utf8), [UInt8(ascii: ".")]])
        #expect(
            try smtpd.query("commit", session: session)
                == "filter-result|0102030405060708|0000000000001006|reject|554 5.7.1 No spam")
        let address: UInt64 = 0x99
        try smtpd.report("link-connect", session: address, parameters: "<unknown>|error|198.51.100.3:1234|192.0.2.1:25")
        #expect(
            try smtpd.query("connect", session: address, parameters: "<unknown>|198.51.100.3")
                == "filter-result|0000000000000099|0000000000001007|reject|554 5.7.1 Connection refused by policy")
        // Every refusal is logged with the rule's stage as written and the input it matched.
        #expect(waitForLog(process, containing: "session 0000000000000099 addr"))
        #expect(
            process.stderrText == """
                loaded \(file.path): 5 rules (rules format)
                notice: session 0102030405060708 helo \(file.path):2 reject 550 5.7.1 You are not me, matched "MX.example.org"
                notice: session 0102030405060708 rcpt \(file.path):3 tempfail 450 4.7.1 Temporarily refused by policy, \
                try again later, matched "root@example.org"
                notice: session 0102030405060708 header \(file.path):4 reject 554 5.7.1 No spam, matched "Subject: Cheap  VIAGRA"
                notice: session 0000000000000099 addr \(file.path):1 reject 554 5.7.1 Connection refused by policy, matched "198.51.100.3"

                """)
    }

    @Test("protocol 0.4 (OpenSMTPD 6.6) gets the token before the session")
    func tokenFirst() throws {
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules), version: "0.4")
        #expect(
            try smtpd.query("helo", session: 0xab, parameters: "mx.example.org")
                == "filter-result|0000000000001001|00000000000000ab|reject|550 5.7.1 You are not me")
    }

    @Test("message lines come back byte for byte: dot-stuffing, bars, non-UTF-8 and a 12 KB line; the body verdict at commit")
    func dataLinesByteExact() throws {
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules))
        let session: UInt64 = 7
        try smtpd.report("link-connect", session: session, parameters: "a|pass|192.0.2.7:1|192.0.2.1:25")
        let lines: [[UInt8]] = [
            Array("Subject: hello|world".utf8), Array("X-Bytes: ".utf8) + [0xff, 0xfe, 0x80, 0xc3, 0x28], [],
            Array("..a line that started with a dot".utf8), Array("trailing blanks  \t".utf8),
            [UInt8](repeating: UInt8(ascii: "x"), count: 12_000) + Array("|end".utf8),
            Array("unsubscribe now".utf8), Array("after the verdict".utf8),
        ]
        let output = try smtpd.message(lines, session: session)
        #expect(output == lines + [[UInt8(ascii: ".")]])
        #expect(
            try smtpd.query("commit", session: session)
                == "filter-result|0000000000000007|0000000000001002|disconnect|421 4.7.0 Bye")
    }

    @Test("a malformed request naming a session and token is answered; the filter goes on")
    func malformedRequest() throws {
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules))
        try smtpd.send(line: "filter|x.y|1.0|smtp-in|helo|00000000000000ab|0000000000000033|mx.example.org")
        #expect(try smtpd.receiveLine() == "filter-result|00000000000000ab|0000000000000033|reject|451 4.3.0 Temporary failure in mail filter")
        try smtpd.send(line: "garbage without bars")
        #expect(try smtpd.query("helo", session: 0xab, parameters: "ok.example") == "filter-result|00000000000000ab|0000000000001001|proceed")
        #expect(process.stderrText.contains("malformed line from the daemon"))
        #expect(process.stderrText.contains("malformed request from the daemon"))
    }

    @Test("an unknown major protocol version ends the filter with a clear message and a non-zero exit")
    func unknownMajorVersion() throws {
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules))
        try smtpd.send(line: "filter|1.0|1.0|smtp-in|helo|00000000000000ab|0000000000000033|x")
        #expect(process.waitForExit(timeout: 1) == .exited(1))
        #expect(process.stderrText.contains("unsupported filter protocol version 1.0"))
    }

    @Test("the filter exits 0 when smtpd closes the channel")
    func endOfInput() throws {
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules))
        smtpd.process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
    }

    @Test("v52 and the line protocol decide and log the same way for the same session")
    func sameDecisionsAsV52() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let session: UInt64 = 0x0badcafe
        let (v52Process, v52) = try startServing(file)
        #expect(try connect(v52, session: session, address: [198, 51, 100, 3]).status == 1)
        let v52Session: UInt64 = 0x0badcaff
        #expect(try connect(v52, session: v52Session).status == 0)
        #expect(try v52.ask(.helo, session: v52Session, extra: SMTPDDouble.heloExtra("mx.example.org")).status == 1)
        #expect(try v52.ask(.rcpt, session: v52Session, extra: SMTPDDouble.mailaddrExtra(user: "root", domain: "example.org")).status == 1)

        let (lineProcess, line, _) = try startLineServing(file)
        try line.report("link-connect", session: session, parameters: "client.example|pass|198.51.100.3:4000|192.0.2.1:25")
        #expect(try line.query("connect", session: session, parameters: "client.example|198.51.100.3").contains("|reject|554 "))
        try line.report("link-connect", session: v52Session, parameters: "client.example|pass|192.0.2.7:4000|192.0.2.1:25")
        #expect(try line.query("connect", session: v52Session, parameters: "client.example|192.0.2.7").hasSuffix("|proceed"))
        #expect(try line.query("helo", session: v52Session, parameters: "mx.example.org").contains("|reject|550 "))
        #expect(try line.query("rcpt-to", session: v52Session, parameters: "<root@example.org>").contains("|reject|450 "))

        #expect(waitForLog(v52Process, containing: "session 000000000badcaff rcpt"))
        #expect(waitForLog(lineProcess, containing: "session 000000000badcaff rcpt"))
        let v52Lines = decisionLines(v52Process.stderrText), lineLines = decisionLines(lineProcess.stderrText)
        #expect(v52Lines.count == 3)
        #expect(v52Lines == lineLines)
    }

    @Test("a reload that adds helo rules to a file without any applies them from the next session, in the same filter process")
    func reloadAddsEnvelopeRules() throws {
        let file = try TemporaryRulesFile("body /^never$/ reject\n")
        let (process, smtpd, registration) = try startLineServing(file)
        #expect(Self.filterPhases(registration).contains("helo"))
        try smtpd.report("link-connect", session: 1, parameters: "a|pass|192.0.2.7:1|192.0.2.1:25")
        #expect(try smtpd.query("helo", session: 1, parameters: "worse").hasSuffix("|proceed"))
        try file.write("helo /^worse$/ reject 550 \"5.7.1 Worse\"\n")
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded \(file.path): 1 rules (rules format)\n"))
        // The session that began before the reload keeps its rules; the next one has the new.
        #expect(try smtpd.query("ehlo", session: 1, parameters: "worse").hasSuffix("|proceed"))
        try smtpd.report("link-connect", session: 2, parameters: "a|pass|192.0.2.7:2|192.0.2.1:25")
        #expect(try smtpd.query("ehlo", session: 2, parameters: "worse").hasSuffix("|reject|550 5.7.1 Worse"))
        #expect(process.waitForExit(timeout: 0) == nil)
        #expect(!process.stderrText.contains("restart smtpd"))
    }

    @Test("a reload adding body rules without the data-line phase registered says in its log line that smtpd must restart")
    func reloadNeedsUnregisteredPhases() throws {
        let file = try TemporaryRulesFile("helo /^bad$/ reject\n")
        let (process, _, registration) = try startLineServing(file)
        #expect(!Self.filterPhases(registration).contains("data-line"))
        try file.write("helo /^bad$/ reject\nbody /^spam$/ reject\nheader Subject /x/ reject\n")
        kill(process.pid, SIGHUP)
        #expect(
            waitForLog(
                process,
                containing: "reloaded \(file.path): 3 rules (rules format); header, body rules need the "
                    + "data-line/commit phases, which were not registered with smtpd at start: restart smtpd to apply them\n"))
        #expect(logCount(process, "reloaded ") == 1)
    }

    @Test("with --content-phases always a reload can add body rules: no restart note, and they decide at commit")
    func reloadAddsContentRulesWhenAlwaysRegistered() throws {
        let file = try TemporaryRulesFile("helo /^bad$/ reject\n")
        let (process, smtpd, _) = try startLineServing(file, extraArguments: ["--content-phases", "always"])
        try file.write("body /^spam$/ reject 554 \"5.7.1 Spam\"\n")
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded \(file.path): 1 rules (rules format)\n"))
        try smtpd.report("link-connect", session: 3, parameters: "a|pass|192.0.2.7:3|192.0.2.1:25")
        let lines = [Array("Subject: x".utf8), [], Array("spam".utf8)]
        #expect(try smtpd.message(lines, session: 3) == lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: 3).hasSuffix("|reject|554 5.7.1 Spam"))
        #expect(!process.stderrText.contains("restart smtpd"))
    }
}
