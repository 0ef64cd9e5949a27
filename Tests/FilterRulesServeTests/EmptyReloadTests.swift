import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// A rules file without rules: fine at start, but a reload to one in place of rules is
/// refused unless the file says `set allow-empty on`.
@Suite("filter-rules serve: a rules file without rules")
struct EmptyReloadTests {
    static let rules = "helo /^old-spam$/ reject 550 \"5.7.1 old rules\"\n"

    /// The warning logged (and printed by check) for a file without rules.
    static func noRules(_ path: String) -> String {
        "\(path): the file has no rules, so every query is accepted; if that is meant, put 'set allow-empty on' in it: "
            + "without it a reload to a file without rules is refused while rules are in force"
    }

    /// The warning of a refused reload to a file without rules.
    static func refused(_ path: String, previous: Int) -> String {
        "warning: reload of \(path) refused, the previous \(previous) rules stay in force: the file has no rules (cut short?); "
            + "put 'set allow-empty on' in it if it is meant to have none\n"
    }

    /// Waits (up to 5 s) until `text` occurs `count` times in the filter's log.
    func waitForLogCount(_ process: FilterProcess, _ text: String, _ count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if logCount(process, text) >= count { return true }
            usleep(10_000)
        }
        return false
    }

    @Test("a truncated file: SIGHUP is refused with a warning, and the old rules still decide")
    func truncatedFileIsRefused() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file)
        try file.write("")
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: Self.refused(file.path, previous: 1)))
        #expect(!process.stderrText.contains("reloaded "))
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try heloCode(smtpd, 1, "old-spam") == 550)
        // Comments only are no rules either.
        try file.write("# helo /^old-spam$/ reject\n\n")
        kill(process.pid, SIGHUP)
        #expect(waitForLogCount(process, Self.refused(file.path, previous: 1), 2))
        #expect(logCount(process, "SIGHUP: reloading \(file.path)\n" + Self.refused(file.path, previous: 1)) == 2)
        #expect(try connect(smtpd, session: 2).status == 0)
        #expect(try heloCode(smtpd, 2, "old-spam") == 550)
    }

    @Test("with set allow-empty on the reload to no rules is done")
    func allowEmpty() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file)
        try file.write("# no rules for now\nset allow-empty on\n")
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded \(file.path): 0 rules (rules format)\n"))
        #expect(!process.stderrText.contains("refused"))
        #expect(!process.stderrText.contains("the file has no rules"))
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try heloCode(smtpd, 1, "old-spam") == 0)
    }

    @Test("an empty file at start: the filter starts without rules and says so; rules come with a reload, and stay")
    func emptyAtStart() throws {
        let file = try TemporaryRulesFile("")
        let (process, smtpd) = try startServing(file)
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try heloCode(smtpd, 1, "old-spam") == 0)
        #expect(process.stderrText == "loaded \(file.path): 0 rules (rules format)\nwarning: \(Self.noRules(file.path))\n")
        // From none to none is no loss.
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded \(file.path): 0 rules (rules format)\nwarning: \(Self.noRules(file.path))\n"))
        try file.write(Self.rules)
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded \(file.path): 1 rules (rules format)\n"))
        #expect(try connect(smtpd, session: 2).status == 0)
        #expect(try heloCode(smtpd, 2, "old-spam") == 550)
        try file.write("")
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: Self.refused(file.path, previous: 1)))
        #expect(try connect(smtpd, session: 3).status == 0)
        #expect(try heloCode(smtpd, 3, "old-spam") == 550)
    }

    @Test("check of a file without rules: exit 0 with the warning, none with set allow-empty on")
    func check() throws {
        let empty = try TemporaryRulesFile("# nothing yet\n")
        let result = try runFilterRules(["check", empty.path])
        #expect(result.status == 0)
        #expect(
            result.standardError == "\(empty.path): warning: \(Self.noRules(empty.path).dropFirst(empty.path.count + 2))\n"
                + "\(empty.path): 1 warning(s)\n")
        #expect(result.standardOutput.hasPrefix("\(empty.path): OK, 0 rules (rules format)"))
        let meant = try TemporaryRulesFile("set allow-empty on\n")
        let allowed = try runFilterRules(["check", meant.path])
        #expect(allowed.status == 0 && allowed.standardError.isEmpty)
        #expect(allowed.standardOutput.contains(", allow-empty on, mode enforce,"))
    }
}
