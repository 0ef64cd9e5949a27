import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// Warnings about catastrophic regexes from the real `filter-rules`: `check` prints them
/// and exits 0; `serve` logs them once at load and at each reload.
@Suite("filter-rules: warnings about catastrophic regexes")
struct CheckWarningTests {
    static let rules = """
        body /(a+)+/ reject
        body /(.*a){20}/ reject
        body /(x|x)*/ reject
        body /(.*)*/ reject
        body /(\\w+\\s?)+$/ reject
        header Subject /^Subject:.*viagra/i reject
        body /(foo|bar)+baz/ reject
        body /[a-z]+@[a-z]+\\.com/ reject

        """

    /// The warnings of ``rules`` without their `FILE:` prefix.
    static let warnings = [
        "1:9: warning: catastrophic backtracking: 'a+' inside a repeated group can split a text between the repetitions in "
            + "exponentially many ways; make it possessive, as in /(a++)+/",
        "2:9: warning: catastrophic backtracking: '.*' also matches the 'a' after it, and the group is repeated, so a text can be "
            + "split in exponentially many ways; stop it before 'a', as in /([^a]*a){20}/",
        "3:10: warning: catastrophic backtracking: the alternatives 'x' and 'x' can match the same text, and the group is "
            + "repeated, so a text can be matched in exponentially many ways; make them differ, or the group atomic, as in /(?>x|x)*/",
        "4:9: warning: catastrophic backtracking: '.*' inside a repeated group can split a text between the repetitions in "
            + "exponentially many ways; make it possessive, as in /(.*+)*/",
        "5:10: warning: catastrophic backtracking: '\\w+' inside a repeated group can split a text between the repetitions in "
            + "exponentially many ways; make it possessive, as in /(\\w++\\s?)+$/",
    ]

    @Test("check prints each warning as file:line:column: warning: ... with a fix, and exits 0")
    func check() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let result = try runFilterRules(["check", file.path])
        #expect(result.status == 0)
        #expect(result.standardError == Self.warnings.map { "\(file.path):\($0)\n" }.joined() + "\(file.path): 5 warning(s)\n")
        #expect(result.standardOutput.hasPrefix("\(file.path): OK, 8 rules (rules format): "))
    }

    @Test("check of a file without such regexes prints no warning")
    func checkClean() throws {
        let file = try TemporaryRulesFile("body /(foo|bar)+baz/ reject\n")
        let result = try runFilterRules(["check", file.path])
        #expect(result.status == 0 && result.standardError.isEmpty)
    }

    @Test("serve logs the warnings once at load, and those of the new file at reload")
    func serveLogsWarnings() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file)
        #expect(try connect(smtpd, session: 1).status == 0)
        let atLoad = Self.warnings.map { "warning: \(file.path):\($0.replacingOccurrences(of: " warning:", with: ""))\n" }.joined()
        #expect(waitForLog(process, containing: "(\\w++\\s?)+$/\n"))
        #expect(process.stderrText == "loaded \(file.path): 8 rules (rules format)\n" + atLoad)
        try file.write("helo /x/ reject\nbody /(a+)+/ reject\n")
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded \(file.path): 2 rules (rules format)\n"))
        #expect(waitForLog(process, containing: "\nwarning: \(file.path):2:9: catastrophic backtracking: 'a+'"))
        #expect(logCount(process, "catastrophic backtracking: 'a+'") == 2)
        #expect(logCount(process, "catastrophic backtracking") == 6)
    }
}
