import Foundation
import SMTPDTestDouble
import Testing

/// `filter-rules test` with limits, lists and greylisting: one store per run, and a clock
/// moved only by `#! time` and `--at`, so a run shows the first attempt greylisted and the
/// retry passing.
@Suite("filter-rules test: limits, lists and greylisting on the run's clock")
struct StoreDryRunTests {
    static let rules = """
        limit per-client addr 3/1h
        rcpt /./ greylist
        mail over per-client tempfail 451 "4.7.1 Too many messages"

        """

    static func session(_ first: String = "") -> String {
        first + "#! connect 192.0.2.10 mx.example.net\nEHLO mx.example.net\nMAIL FROM:<alice@example.net>\nRCPT TO:<bob@example.org>\n"
    }

    @Test("transcripts: greylisted, retried too soon, retried after '#! time +6m' and passed; the fourth message is over the limit")
    func transcripts() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let first = try TemporaryFile(Self.session("#! expect rcpt tempfail 451\n"))
        let soon = try TemporaryFile(Self.session("#! time +2m\n#! expect rcpt tempfail\n"))
        let retry = try TemporaryFile(Self.session("#! time +4m\n#! expect rcpt accept\n"))
        let third = try TemporaryFile(Self.session("#! time +1m\n#! expect mail tempfail\n"))
        let result = try runFilterRules(["test", "--rules", rules.path, first.path, soon.path, retry.path, third.path])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let headings = result.standardOutput.split(separator: "\n").filter { !$0.hasPrefix(" ") }
        #expect(
            headings == [
                "\(first.path) (client 192.0.2.10 mx.example.net): PASS",
                "\(soon.path) (client 192.0.2.10 mx.example.net, at +2m): PASS",
                "\(retry.path) (client 192.0.2.10 mx.example.net, at +4m): PASS",
                "\(third.path) (client 192.0.2.10 mx.example.net, at +1m): PASS",
                "4 transcript(s), 0 failed",
            ])
        #expect(result.standardOutput.contains("rcpt     tempfail 451 4.7.1 Greylisted: this is a first attempt"))
        // Without the wait the retry is deferred: the expectation fails.
        let hasty = try TemporaryFile(Self.session("#! expect rcpt accept\n"))
        let failed = try runFilterRules(["test", "--rules", rules.path, first.path, hasty.path])
        #expect(failed.status == 1)
        #expect(failed.standardOutput.contains("expected accept: FAILED"))
    }

    @Test("--eml with --at: the same message greylisted, then passed six minutes later")
    func savedMessages() throws {
        let rules = try TemporaryRulesFile("rcpt /./ greylist\n")
        let message = fixtureMessagePath("ham-lf.eml")
        let envelope = ["--client-address", "192.0.2.10", "--sender", "alice@example.net", "--rcpt", "bob@example.org"]
        let result = try runFilterRules(["test", "--rules", rules.path, "--eml", "--at", "0", "--at", "+6m"] + envelope + [message, message])
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("\(message): rcpt tempfail 451 4.7.1 Greylisted") == true, "\(lines)")
        #expect(lines.last == "\(message): accept")
        #expect(result.status == 1)
        let bad = try runFilterRules(["test", "--rules", rules.path, "--eml", "--at", "soon", message])
        #expect(bad.status == 64 || bad.status == 2)
        #expect(bad.standardError.contains("bad time 'soon' for --at, expected +DURATION with a unit s, m, h or d, e.g. +6m"))
    }

    @Test("a bad '#! time' line is refused at its line")
    func badDirective() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let transcript = try TemporaryFile("#! time 6m\nEHLO x\n")
        let result = try runFilterRules(["test", "--rules", rules.path, transcript.path])
        #expect(result.standardError.contains(":1: expected '#! time +DURATION' with a unit s, m, h or d, e.g. #! time +6m"), "\(result.standardError)")
    }
}
