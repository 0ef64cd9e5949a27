import Foundation
import SMTPDTestDouble
import Testing
import TestSupport

/// Limits and dynamic lists under `serve`: one embedded store for every session of the
/// process, kept across a reload for the limits and lists that keep their names.
@Suite("filter-rules serve: limits and dynamic lists", .serialized)
struct StoreServeTests {
    static let rules = """
        set state-file off
        limit per-client addr/24 3/1h
        limit probe addr 2/1h
        dynlist banned addr 1h
        connect in banned disconnect 421 "4.7.0 Too many failures, come back later"
        rcpt /^unknown/ and rcpt over probe add-to banned
        rcpt /^unknown/ reject 550 "5.1.1 No such user"
        rcpt over per-client tempfail 451 "4.7.1 Slow down"

        """

    /// The line protocol's answer to session `session`'s RCPT of `address`.
    static func rcpt(_ smtpd: LineDaemonDouble, _ session: UInt64, _ address: String) throws -> String {
        answerPart(try smtpd.query("rcpt-to", session: session, parameters: "<\(address)>"))
    }

    /// `proceed`, `reject|CODE TEXT`, …: a filter-result line without its session and token.
    static func answerPart(_ line: String) -> String {
        String(line.split(separator: "|").dropFirst(3).joined(separator: "|"))
    }

    /// The answer to session `session`'s connect from `address`.
    static func connect(_ smtpd: LineDaemonDouble, _ session: UInt64, _ address: String) throws -> String {
        try smtpd.report("link-connect", session: session, parameters: "c|pass|\(address):1|192.0.2.1:25")
        let answer = try smtpd.query("connect", session: session, parameters: "c|\(address)")
        return String(answer.split(separator: "|").dropFirst(3).joined(separator: "|"))
    }

    @Test("line protocol: a limit shared by the sessions of a /24; a ban after refused recipients refuses the next connection")
    func limitsAndBan() throws {
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.rules))
        #expect(try Self.connect(smtpd, 1, "192.0.2.10") == "proceed")
        #expect(try Self.rcpt(smtpd, 1, "a@example.org") == "proceed")
        #expect(try Self.rcpt(smtpd, 1, "b@example.org") == "proceed")
        #expect(try Self.connect(smtpd, 2, "192.0.2.11") == "proceed")
        #expect(try Self.rcpt(smtpd, 2, "c@example.org") == "proceed")
        #expect(try Self.rcpt(smtpd, 2, "d@example.org") == "reject|451 4.7.1 Slow down")
        // Three unknown recipients from one client: the third bans it.
        #expect(try Self.connect(smtpd, 3, "198.51.100.7") == "proceed")
        for index in 1...3 { #expect(try Self.rcpt(smtpd, 3, "unknown\(index)@example.org") == "reject|550 5.1.1 No such user") }
        #expect(try Self.connect(smtpd, 4, "198.51.100.7") == "disconnect|421 4.7.0 Too many failures, come back later")
        #expect(try Self.connect(smtpd, 5, "198.51.100.8") == "proceed")
    }

    @Test("line protocol: link-auth failures are counted; the sixth bans the client, whose next connection is refused")
    func authFailures() throws {
        let rules = """
            set state-file off
            limit auth-fail addr 5/10m
            dynlist banned addr 1h
            authfail over auth-fail add-to banned
            connect in banned disconnect 421 "4.7.0 Too many failed logins, come back later"

            """
        for version in ["0.6", "0.7"] {
            let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(rules), version: version)
            #expect(try Self.connect(smtpd, 1, "203.0.113.5") == "proceed")
            for _ in 1...6 {
                // 0.6 reports username|result, 0.7 result|username.
                try smtpd.report("link-auth", session: 1, parameters: version == "0.6" ? "mallory|fail" : "fail|mallory")
            }
            #expect(try Self.connect(smtpd, 2, "203.0.113.5") == "disconnect|421 4.7.0 Too many failed logins, come back later", "\(version)")
            #expect(try Self.connect(smtpd, 3, "203.0.113.6") == "proceed")
            #expect(waitForLog(process, containing: "authfail"))
            #expect(process.stderrText.contains("add-to banned"), "\(process.stderrText)")
        }
    }

    /// A ban policy kept in the state file at `path`.
    static func persistentRules(_ path: String) -> String {
        """
        set state-file "\(path)"
        limit probe addr 2/1h
        dynlist banned addr 1h
        connect in banned disconnect 421 "4.7.0 Too many failures, come back later"
        rcpt /^unknown/ and rcpt over probe add-to banned
        rcpt /^unknown/ reject 550 "5.1.1 No such user"
        rcpt /./ greylist

        """
    }

    @Test("a byte limit alone: its messages are measured as they pass, not decoded, and the second over 1k is refused")
    func byteLimitAlone() throws {
        let rules = """
            set state-file off
            limit big addr 1k/1h
            body over big tempfail 452 "4.3.1 Too much mail from you, try later"

            """
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(rules))
        #expect(try Self.connect(smtpd, 1, "192.0.2.1") == "proceed")
        let lines = (0..<6).map { _ in Array(String(repeating: "x", count: 99).utf8) }  // 600 bytes
        #expect(try smtpd.message(lines, session: 1) == lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: 1).hasSuffix("|proceed"))
        #expect(try smtpd.message(lines, session: 1) == lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: 1).hasSuffix("|reject|452 4.3.1 Too much mail from you, try later"))
    }

    @Test("the state file keeps a ban and a greylisting pass across a restart (end of input and SIGTERM)")
    func restartKeepsState() throws {
        let directory = try TemporaryFile("", name: "dir")
        let path = (directory.path as NSString).deletingLastPathComponent + "/state"
        let file = try TemporaryRulesFile(Self.persistentRules(path))
        var (process, smtpd, _) = try startLineServing(file)
        #expect(try Self.connect(smtpd, 1, "198.51.100.7") == "proceed")
        for index in 1...3 { _ = try Self.rcpt(smtpd, 1, "unknown\(index)@example.org") }
        #expect(try Self.connect(smtpd, 2, "192.0.2.10") == "proceed")
        #expect(try smtpd.query("mail-from", session: 2, parameters: "<a@example.net>").hasSuffix("|proceed"))
        #expect(try Self.rcpt(smtpd, 2, "bob@example.org").hasPrefix("reject|451 4.7.1 Greylisted"))
        // smtpd goes away: the filter writes the file as it exits.
        process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 10) != nil)
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(saved.hasPrefix("filter-rules state 1\n") && saved.contains("D banned ") && saved.contains("G "))
        (process, smtpd, _) = try startLineServing(file)
        #expect(waitForLog(process, containing: "state file \(path): "))
        #expect(try Self.connect(smtpd, 1, "198.51.100.7") == "disconnect|421 4.7.0 Too many failures, come back later")
        // SIGTERM: written too.
        kill(process.pid, SIGTERM)
        #expect(process.waitForExit(timeout: 10) != nil)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("D banned "))
    }

    @Test("a corrupt state file is set aside and logged, an unwritable one logged; mail flows either way")
    func badStateFile() throws {
        let directory = try TemporaryFile("", name: "dir")
        let path = (directory.path as NSString).deletingLastPathComponent + "/state"
        try "filter-rules state 1\nD banned tomorrow 192.0.2.1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(Self.persistentRules(path)))
        #expect(waitForLog(process, containing: "state file \(path): line 2: bad list entry; set aside as \(path).bad"))
        #expect(try Self.connect(smtpd, 1, "192.0.2.1") == "proceed")
        #expect(FileManager.default.fileExists(atPath: path + ".bad"))
        let nowhere = (directory.path as NSString).deletingLastPathComponent + "/missing/state"
        let (other, otherSmtpd, _) = try startLineServing(try TemporaryRulesFile(Self.persistentRules(nowhere)))
        #expect(try Self.connect(otherSmtpd, 1, "192.0.2.1") == "proceed")
        other.channel.closeChannel()
        #expect(other.waitForExit(timeout: 10) != nil)
        #expect(other.stderrText.contains("state file: \(nowhere) cannot be written: No such file or directory; a restart will lose"))
    }

    @Test("a reload keeps the counts and entries of the limits and lists that keep their names, and drops the others'")
    func reloadKeeps() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd, _) = try startLineServing(file)
        #expect(try Self.connect(smtpd, 1, "198.51.100.7") == "proceed")
        for index in 1...3 { _ = try Self.rcpt(smtpd, 1, "unknown\(index)@example.org") }
        #expect(try Self.connect(smtpd, 2, "192.0.2.10") == "proceed")
        for index in 1...3 { #expect(try Self.rcpt(smtpd, 2, "user\(index)@example.org") == "proceed") }
        // The same file with per-client renamed: its count is gone; the ban stays.
        try file.write(Self.rules.replacingOccurrences(of: "per-client", with: "per-network"))
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded \(file.path)"))
        #expect(try Self.connect(smtpd, 3, "198.51.100.7") == "disconnect|421 4.7.0 Too many failures, come back later")
        #expect(try Self.connect(smtpd, 4, "192.0.2.10") == "proceed")
        #expect(try Self.rcpt(smtpd, 4, "user4@example.org") == "proceed")
    }
}
