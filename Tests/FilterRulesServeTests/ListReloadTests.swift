import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// A list file emptied or cut short while the filter runs: the reload is refused and the
/// listed names are still refused; a list that shrinks by more than half is reloaded with a
/// warning on the reload's line.
@Suite("filter-rules serve: list files cut short")
struct ListReloadTests {
    static let rules = "helo file \"blocked.list\" reject 550 \"5.7.1 listed\"\n"
    static let list = "# HELO names we refuse\nold-spam\nother-spam\nthird-spam\nfourth-spam\n"

    /// The rules file with `list` beside it as `blocked.list`.
    static func rulesFile(list: String = list) throws -> (rules: TemporaryRulesFile, list: String) {
        let file = try TemporaryRulesFile(rules)
        let listPath = file.directory.appendingPathComponent("blocked.list").path
        try writeInPlace(list, to: listPath)
        return (file, listPath)
    }

    /// Writes `text` over the file at `path` in place (truncating it first), as a copy does.
    static func writeInPlace(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The error of a list without entries (the rule's `file` word is at 1:6).
    static func noEntries(_ rules: String, _ list: String) -> String {
        "\(rules):1:6: list file \(list): has no entries (cut short?); put 'set allow-empty on' in the rules file "
            + "if the list is meant to be empty"
    }

    /// The lines of a reload refused for one error.
    static func refused(_ rules: String, _ diagnostic: String) -> String {
        "error: reload of \(rules) refused, the previous rules stay in force: 1 error(s)\nerror: \(diagnostic)\n"
    }

    /// Connects `session` and answers its HELO `name`: the reply code, 0 when accepted.
    func heloCode(_ smtpd: SMTPDDouble, _ session: UInt64, _ name: String) throws -> Int32 {
        #expect(try connect(smtpd, session: session).status == 0)
        return try smtpd.ask(.helo, session: session, extra: SMTPDDouble.heloExtra(name)).code
    }

    @Test("a list truncated to 0 bytes, then cut mid-line: SIGHUP is refused and the whole old list still decides")
    func truncatedListIsRefused() throws {
        let (file, list) = try Self.rulesFile()
        let (process, smtpd) = try startServing(file)
        #expect(try heloCode(smtpd, 1, "fourth-spam") == 550)
        try Self.writeInPlace("", to: list)
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: Self.refused(file.path, Self.noEntries(file.path, list))))
        #expect(!process.stderrText.contains("reloaded "))
        #expect(try heloCode(smtpd, 2, "old-spam") == 550)
        #expect(try heloCode(smtpd, 3, "fourth-spam") == 550)
        // Cut in the middle of its third entry by a copy in progress.
        try Self.writeInPlace("# HELO names we refuse\nold-spam\nother-spam\nthi", to: list)
        kill(process.pid, SIGHUP)
        #expect(
            waitForLog(
                process,
                containing: Self.refused(
                    file.path,
                    "\(file.path):1:6: list file \(list):4: "
                        + "ends without a final newline (cut short while being written?); end its last line with a newline")))
        #expect(!process.stderrText.contains("reloaded "))
        #expect(try heloCode(smtpd, 4, "third-spam") == 550)
        #expect(try heloCode(smtpd, 5, "fourth-spam") == 550)
        #expect(process.waitForExit(timeout: 0) == nil)
    }

    @Test("a list that shrinks by more than half since the last load is reloaded with a warning on the reload's line")
    func shrinkIsWarned() throws {
        let (file, list) = try Self.rulesFile()
        let (process, smtpd) = try startServing(file)
        let reloaded = "notice: SIGHUP: reloading \(file.path)\nnotice: reloaded \(file.path): 1 rules (rules format)\n"
        // From 4 entries to 2 is half: no warning; nor is growing back.
        try Self.writeInPlace("old-spam\nother-spam\n", to: list)
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: reloaded))
        try Self.writeInPlace(Self.list, to: list)
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: reloaded + reloaded))
        // From 4 to 1 is more than half.
        try Self.writeInPlace("old-spam\n", to: list)
        kill(process.pid, SIGHUP)
        let warned = "warning: reloaded \(file.path): 1 rules (rules format); list file \(list) has 1 entry, was 4 at the last load\n"
        #expect(waitForLog(process, containing: reloaded + reloaded + "notice: SIGHUP: reloading \(file.path)\n" + warned))
        #expect(try heloCode(smtpd, 1, "old-spam") == 550)
        #expect(try heloCode(smtpd, 2, "other-spam") == 0)
        try Self.writeInPlace(Self.list, to: list)
        kill(process.pid, SIGHUP)
        let deadline = Date().addingTimeInterval(5)
        while logCount(process, reloaded) < 3 && Date() < deadline { usleep(10_000) }
        #expect(logCount(process, reloaded) == 3)
        #expect(logCount(process, "warning: ") == 1)
    }

    @Test("an empty list at start: the filter does not start; with set allow-empty on it does")
    func emptyListAtStart() throws {
        let (file, list) = try Self.rulesFile(list: "# none yet\n")
        let refused = try runFilterRules([file.path])
        #expect(refused.status == 1)
        #expect(
            refused.standardError == "critical: \(Self.noEntries(file.path, list))\n"
                + "critical: \(file.path): 1 error(s), not starting\n")
        let checked = try runFilterRules(["check", file.path])
        #expect(checked.status == 1)
        #expect(checked.standardError == "\(Self.noEntries(file.path, list))\n\(file.path): 1 error(s)\n")
        try file.write("set allow-empty on\n" + Self.rules)
        #expect(try runFilterRules(["check", file.path]).status == 0)
        let (process, smtpd) = try startServing(file)
        #expect(try heloCode(smtpd, 1, "old-spam") == 0)
        #expect(process.stderrText == "loaded \(file.path): 1 rules (rules format)\n")
    }
}
