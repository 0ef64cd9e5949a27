import FilterRules
@testable import FilterRulesEngine
import TestSupport
import Testing

@Suite("Logs and dry-run reports of junk, add-header, warn and report-only")
struct MarkingActionReportTests {
    private func evaluator(_ rules: String) throws -> SessionEvaluator { try rulesSession(rules, file: "l.conf") }

    @Test("a mark's log line names its rule, what it does and the input it matched")
    func markLines() throws {
        let session = try evaluator(#"helo /^(local)host$/ add-header "X-Helo: $1""# + "\nhelo /host/ warn\n")
        let decision = session.helo("localhost")
        #expect(
            decision.marks.map { DecisionLogLine.text(session: 0x2a, mark: $0) } == [
                #"session 000000000000002a helo l.conf:1 add-header "X-Helo: local", matched "localhost""#,
                #"session 000000000000002a helo l.conf:2 warn, matched "localhost""#,
            ])
        #expect(DecisionLogLine.text(session: 0x2a, step: "helo", decision: decision) == nil, "the step itself is a plain accept")
    }

    @Test("a withheld refusal is logged with 'would' and report-only")
    func wouldLines() throws {
        let session = try evaluator("set mode report-only\nrcpt /^(\\w+)@/ reject 550 \"5.1.1 <$1> unknown\"\n")
        let decision = session.rcpt("bob@example.org")
        let withheld = try #require(decision.withheld)
        #expect(
            DecisionLogLine.text(session: 1, step: "rcpt", withheld: withheld)
                == #"session 0000000000000001 rcpt l.conf:2 would reject 550 5.1.1 <bob> unknown, matched "bob@example.org" (report-only)"#)
        #expect(DecisionLogLine.text(session: 1, step: "rcpt", decision: decision) == nil)
    }

    @Test("the dry-run shows report-only refusals as such and checks expectations against them")
    func reportOnlyDryRun() throws {
        let transcript = try TranscriptParser.parse(
            """
            #! connect 192.0.2.7 mail.example.net
            EHLO mail.example.net
            MAIL FROM:<a@example.net>
            #! expect rcpt reject 550
            RCPT TO:<bob@example.org>
            #! expect rcpt accept
            RCPT TO:<carol@example.org>
            DATA
            Subject: offer

            see bit.ly/abc
            .
            QUIT

            """, name: "r")
        let rules = """
            set mode report-only
            rcpt /^bob@/ reject 550 "5.1.1 no bob"
            body /bit\\.ly\\/(\\w+)/ add-header "X-Short-Link: $1"
            body /bit\\.ly/ junk
            """
        let report = try replayer(rules).replay(transcript)
        #expect(report.passed)
        let rcpt = report.steps[3]
        #expect(rcpt.answer == "accept")
        #expect(rcpt.wouldAnswer == WithheldReport(answer: "reject", code: 550, text: "5.1.1 no bob", rule: "test.rules:2"))
        #expect(rcpt.expectationHeld == true)
        #expect(report.steps[4].expectationHeld == true)
        let message = try #require(report.steps.last)
        #expect(message.step == "message")
        #expect(message.addedHeaders == ["X-Spam: Yes", "X-Short-Link: abc"])
        #expect(message.marks == [#"add-header "X-Short-Link: abc" (test.rules:3)"#, "junk (test.rules:4)"])
        #expect(
            report.text.contains(
                #"rcpt     accept  on recipient: "bob@example.org"  (report-only: would reject 550 5.1.1 no bob [test.rules:2])  expected reject 550: ok"#))
        #expect(report.text.contains(#"(adds "X-Spam: Yes")  (adds "X-Short-Link: abc")"#))
    }

    @Test("an expectation of accept fails against a withheld refusal")
    func reportOnlyExpectationFails() throws {
        let transcript = try TranscriptParser.parse("#! expect helo accept\nHELO bad.example\nQUIT\n", name: "f")
        let report = try replayer("set mode report-only\nhelo /^bad/ reject\n").replay(transcript)
        #expect(!report.passed)
        #expect(report.steps[1].answer == "accept")
        #expect(report.steps[1].expectationHeld == false)
    }
}
