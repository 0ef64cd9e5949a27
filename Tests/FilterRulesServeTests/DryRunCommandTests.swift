import Foundation
import SMTPDTestDouble
import Testing

/// A saved message of Tests/Fixtures/eml (written by Python's email package, see generate.py there).
func fixtureMessagePath(_ name: String) -> String {
    repositoryRoot + "/Tests/Fixtures/eml/" + name
}

@Suite("filter-rules test: saved messages, standard input, recorded replies")
struct DryRunCommandTests {
    static let rules = """
        body /bit\\.ly/ reject 554 "5.7.1 Links"
        body /^\\.\\.two dots$/ reject 550 "5.7.1 Two dots"
        rcpt /^carol@/ tempfail 450 "4.7.1 Later"

        """

    @Test("--eml: one verdict line per message with the deciding rule and input; exit 1 when one is refused")
    func verdictLines() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let ham = fixtureMessagePath("ham-lf.eml"), spam = fixtureMessagePath("spam-crlf.eml"), dots = fixtureMessagePath("dot-lines.eml")
        let result = try runFilterRules(["test", "--rules", rules.path, "--eml", spam, dots, ham])
        #expect(result.status == 1)
        // Line numbers as Python's parser counts them (generate.py); CRs removed; no dot removed.
        #expect(
            result.standardOutput == """
                \(spam): message reject 554 5.7.1 Links  [\(rules.path):1: body /bit\\.ly/ reject 554 "5.7.1 Links"]  on body line 13: "see bit.ly/x now"
                \(dots): message reject 550 5.7.1 Two dots  [\(rules.path):2: body /^\\.\\.two dots$/ reject 550 "5.7.1 Two dots"]  on body line 12: \
                "..two dots"
                \(ham): rcpt tempfail 450 4.7.1 Later  [\(rules.path):3: rcpt /^carol@/ tempfail 450 "4.7.1 Later"]  on recipient: "carol@example.org"

                """)
        #expect(result.standardError == "")
    }

    @Test("--eml: exit 0 when every message is accepted; the message's lines are what a session delivers")
    func allAccepted() throws {
        // A tool that un-stuffed dots would show the filter ".two dots" and "" for the lone
        // dot (the message has no empty body line).
        let rules = try TemporaryRulesFile("body /^\\.two dots$/ reject\nbody /^$/ reject\n")
        let dots = fixtureMessagePath("dot-lines.eml"), ham = fixtureMessagePath("ham-lf.eml")
        let result = try runFilterRules(["test", "--rules", rules.path, "--eml", dots])
        #expect(result.status == 0)
        #expect(result.standardOutput == "\(dots): accept\n")
        let none = try TemporaryRulesFile("# accepts everything\n")
        let accepted = try runFilterRules(["test", "--rules", none.path, "--eml", ham, dots])
        #expect(accepted.status == 0 && accepted.standardOutput == "\(ham): accept\n\(dots): accept\n")
        let lone = try TemporaryRulesFile("body /^\\.$/ reject\n")
        let refused = try runFilterRules(["test", "--rules", lone.path, "--eml", dots])
        #expect(refused.status == 1 && refused.standardOutput.hasSuffix("  on body line 13: \".\"\n"))
    }

    @Test("--eml - reads one message from standard input")
    func messageFromStandardInput() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let result = try runFilterRules(["test", "--rules", rules.path, "--eml", "-"], standardInput: fixtureMessagePath("spam-crlf.eml"))
        #expect(result.status == 1)
        #expect(result.standardOutput.hasPrefix("<stdin>: message reject 554 5.7.1 Links  ["))
    }

    @Test("the default envelope comes from the message; --sender, --rcpt, --client-address, --client-hostname and --helo replace it")
    func envelope() throws {
        let rules = try TemporaryRulesFile("# accepts everything\n")
        func inputs(_ extra: [String]) throws -> [String] {
            let result = try runFilterRules(["test", "--json", "--rules", rules.path, "--eml"] + extra + [fixtureMessagePath("ham-lf.eml")])
            #expect(result.status == 0, "\(result.standardError)")
            let reports = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as! [[String: Any]]
            #expect(reports.count == 1 && reports[0]["accepted"] as? Bool == true)
            return (reports[0]["steps"] as! [[String: Any]]).map { "\($0["step"]!) \($0["input"]!)" }
        }
        #expect(
            try inputs([]) == [
                "connect 127.0.0.1 localhost", "helo localhost", "mail alice-bounces@partner.example",
                "rcpt bob@example.org", "rcpt carol@example.org", "data ", "message 16 lines",
            ])
        #expect(
            try inputs([
                "--sender", "<>", "--rcpt", "x@example.org", "--rcpt", "<y@example.org>", "--client-address", "192.0.2.9",
                "--client-hostname", "h.example", "--helo", "helo.example",
            ])
                == [
                    "connect 192.0.2.9 h.example", "helo helo.example", "mail <>", "rcpt x@example.org", "rcpt y@example.org",
                    "data ", "message 16 lines",
                ])
    }

    @Test(
        "exit 2 on an unreadable message, a bad rules file, and options that do not fit",
        arguments: [
            ["--eml", "/nonexistent/message.eml"],
            ["--sender", "a@example.org", "TRANSCRIPT"],
            ["--eml", "--client-address", "not-an-address", "MESSAGE"],
            ["--eml", "--expect-recorded", "MESSAGE"],
            ["--eml", "-", "-"],
            ["--eml"],
        ])
    func usageErrors(arguments: [String]) throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let filled = arguments.map {
            $0 == "MESSAGE" ? fixtureMessagePath("ham-lf.eml") : $0 == "TRANSCRIPT" ? repositoryRoot + "/contrib/transcripts/ham-plain.txt" : $0
        }
        let result = try runFilterRules(["test", "--rules", rules.path] + filled)
        #expect(result.status == 2, "\(result.standardOutput)\(result.standardError)")
        #expect(!result.standardError.isEmpty && result.standardOutput.isEmpty)
        let bad = try TemporaryRulesFile("body /x/ rejekt\n")
        let badRules = try runFilterRules(["test", "--rules", bad.path, "--eml", fixtureMessagePath("ham-lf.eml")])
        #expect(badRules.status == 2 && badRules.standardError.hasPrefix("\(bad.path):1:10: unknown action 'rejekt'"))
    }

    @Test("- as a transcript name reads the transcript from standard input")
    func transcriptFromStandardInput() throws {
        let rules = try TemporaryRulesFile("helo /^mx\\.example\\.org$/ reject\n")
        let result = try runFilterRules(["test", "--rules", rules.path, "-"], standardInput: repositoryRoot + "/contrib/transcripts/spam-helo.txt")
        #expect(result.status == 0, "\(result.standardOutput)")
        #expect(result.standardOutput.hasPrefix("<stdin> (client 203.0.113.50 unknown.example.net): PASS\n"))
        #expect(
            result.standardOutput.contains(
                "\n  helo     reject 550 5.7.1 HELO/EHLO rejected by policy  [\(rules.path):1: helo /^mx\\.example\\.org$/ reject]  on HELO name: "
                    + "\"mx.example.org\"  expected reject 550: ok\n"
            ))
    }

    @Test("--expect-recorded: the replies swaks recorded are the expectations of steps without their own")
    func expectRecorded() throws {
        let transcript = try TemporaryRulesFile(
            """
            === Trying 127.0.0.1:25...
            <-  220 mx.example.org ESMTP OpenSMTPD
             -> EHLO sender.example.net
            <-  250 HELP
             -> MAIL FROM:<a@sender.example.net>
            <** 550 5.7.1 Sender refused
             -> QUIT
            <-  221 2.0.0 Bye

            """, name: "swaks.txt")
        let refusing = try TemporaryRulesFile("mail /@sender\\.example\\.net$/ reject 550 \"5.7.1 Sender refused\"\n")
        let passed = try runFilterRules(["test", "--expect-recorded", "--rules", refusing.path, transcript.path])
        #expect(passed.status == 0, "\(passed.standardOutput)")
        #expect(
            passed.standardOutput.contains(
                "  mail     reject 550 5.7.1 Sender refused  [\(refusing.path):1: mail /@sender\\.example\\.net$/ reject 550 \"5.7.1 Sender refused\"]  on "
                    + "sender: \"a@sender.example.net\"  expected reject 550 (recorded): ok\n"
            ))
        #expect(passed.standardOutput.contains("  connect  accept  expected accept 220 (recorded): ok\n"))

        let accepting = try TemporaryRulesFile("# accepts everything\n")
        let failed = try runFilterRules(["test", "--expect-recorded", "--rules", accepting.path, transcript.path])
        #expect(failed.status == 1)
        #expect(failed.standardOutput.contains("  mail     accept  on sender: \"a@sender.example.net\"  expected reject 550 (recorded): FAILED\n"))
        #expect(failed.standardOutput.hasSuffix("1 transcript(s), 1 failed\n"))
        // Without the option a swaks transcript without directives expects nothing.
        #expect(try runFilterRules(["test", "--rules", accepting.path, transcript.path]).status == 0)
    }
}
