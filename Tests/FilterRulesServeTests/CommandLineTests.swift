import Foundation
import SMTPDTestDouble
import Testing

/// Runs the built `filter-rules` with `arguments`, stdin from the file `standardInput`, and waits for it.
func runFilterRules(_ arguments: [String], standardInput: String = "/dev/null") throws -> ProgramResult {
    try runProgram(FilterProcess.builtExecutable(named: "filter-rules"), arguments, standardInput: standardInput)
}

/// The repository's top directory, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Paths of the shipped sample transcripts.
func transcriptPaths() throws -> [String] {
    let directory = repositoryRoot + "/contrib/transcripts"
    return try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".txt") }.sorted().map { directory + "/" + $0 }
}

@Suite("filter-rules check and test")
struct CommandLineTests {
    @Test("check prints the rule count per stage and the options, exit 0")
    func checkGood() throws {
        let rules = try TemporaryRulesFile("helo /x/ reject\nrcpt /y/ tempfail\nrcpt /z/ accept\nset fail-closed on\nset line-time-limit 20ms\n")
        let result = try runFilterRules(["check", rules.path])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("\(rules.path): OK, 3 rules (rules format)"))
        #expect(result.standardOutput.contains("helo 1, mail 0, rcpt 2"))
        #expect(
            result.standardOutput.contains(
                "\noptions: fail-closed on, scan-limit 0, match-limit 100000, depth-limit 10000, "
                    + "line-time-limit 20ms, message-time-limit 1s, header-limit 65536, allow-empty off, mode enforce, hold-limit 67108864, hold-total "
                    + "268435456, "
                    + "oversized-header reject, oversized-mime reject\n"))
    }

    @Test("check prints every error with file:line:column, exit 1")
    func checkBad() throws {
        let rules = try TemporaryRulesFile("helo /x/ rejekt\n\nrcpt /(/ reject\nfoo /z/ accept\n")
        let result = try runFilterRules(["check", rules.path])
        #expect(result.status == 1)
        let lines = result.standardError.split(separator: "\n").map(String.init)
        #expect(
            lines.contains(
                "\(rules.path):1:10: unknown action 'rejekt', expected accept, reject, tempfail, disconnect, greylist, junk, add-header, warn, score, add-to or remove-from"
            ))
        #expect(lines.contains { $0.hasPrefix("\(rules.path):3:") && $0.contains("missing closing parenthesis") })
        #expect(lines.contains { $0.hasPrefix("\(rules.path):4:1: unknown stage 'foo'") })
        #expect(lines.last == "\(rules.path): 3 error(s)")
    }

    @Test("check of a missing file names it, exit 1")
    func checkMissing() throws {
        let result = try runFilterRules(["check", "/nonexistent/filter-rules.conf"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("/nonexistent/filter-rules.conf"))
    }

    @Test("test: every shipped transcript passes with rules.example, exit 0")
    func dryRunRulesExample() throws {
        let result = try runFilterRules(["test", "--rules", repositoryRoot + "/rules.example"] + transcriptPaths())
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("\(try transcriptPaths().count) transcript(s), 0 failed"))
        #expect(!result.standardOutput.contains("FAIL"))
    }

    @Test("test: a failed expectation gives exit 1 and FAIL")
    func dryRunFailure() throws {
        let rules = try TemporaryRulesFile("# accepts everything\n")
        let result = try runFilterRules(["test", "--rules", rules.path, repositoryRoot + "/contrib/transcripts/spam-helo.txt"])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("spam-helo.txt (client 203.0.113.50 unknown.example.net): FAIL"))
        #expect(result.standardOutput.contains("expected reject 550: FAILED"))
        #expect(result.standardOutput.contains("1 transcript(s), 1 failed"))
    }

    @Test("test --json prints one object per transcript with its verdict")
    func dryRunJSON() throws {
        let rules = try TemporaryRulesFile("helo /^mx\\.example\\.org$/ reject\n")
        let result = try runFilterRules(["test", "--json", "--rules", rules.path, repositoryRoot + "/contrib/transcripts/spam-helo.txt"])
        #expect(result.status == 0)
        let reports = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [[String: Any]]
        #expect(reports.count == 1)
        #expect(reports[0]["passed"] as? Bool == true)
        let steps = reports[0]["steps"] as! [[String: Any]]
        #expect(steps.map { $0["step"] as? String } == ["connect", "helo", "mail"])
        #expect(steps[1]["code"] as? Int == 550 && steps[1]["rule"] as? String == "\(rules.path):1")
    }

    @Test("test exits 2 on a bad rules file, a bad transcript, or no transcript")
    func dryRunUsageErrors() throws {
        let bad = try TemporaryRulesFile("helo /x/ bogus\n")
        let badRules = try runFilterRules(["test", "--rules", bad.path, repositoryRoot + "/contrib/transcripts/ham-plain.txt"])
        #expect(badRules.status == 2 && badRules.standardError.contains("\(bad.path):1:10:"))
        let good = try TemporaryRulesFile("helo /x/ reject\n")
        let transcript = try TemporaryRulesFile("#! expect bogus accept\nHELO x\n")
        let badTranscript = try runFilterRules(["test", "--rules", good.path, transcript.path])
        #expect(badTranscript.status == 2 && badTranscript.standardError.contains(transcript.path))
        let none = try runFilterRules(["test", "--rules", good.path])
        #expect(none.status == 2)
    }
}
