import FilterRules
@testable import FilterRulesEngine
import TestSupport
import Testing

@Suite("Decision log lines")
struct DecisionLogLineTests {
    private func evaluator(_ rules: String) throws -> SessionEvaluator { try rulesSession(rules, file: "l.conf") }

    @Test("a rule's decision names the rule's stage as written, not the step")
    func ruleDecision() throws {
        let session = try evaluator("header Subject /viagra/i reject 554 \"5.7.1 No spam\"\n")
        _ = session.data()
        for line in ["Subject: cheap", " VIAGRA", "", "body"] { session.dataLine(Array(line.utf8)) }
        #expect(
            DecisionLogLine.text(session: 0x1a2b, step: "message", decision: session.endOfMessage())
                == #"session 0000000000001a2b header l.conf:1 reject 554 5.7.1 No spam, matched "Subject: cheap VIAGRA""#)
    }

    @Test("a plain accept is not logged; an accept by a rule is, with its scope")
    func accepts() throws {
        let session = try evaluator("addr 192.0.2.0/24 accept session\n")
        #expect(DecisionLogLine.text(session: 1, step: "helo", decision: session.helo("x")) == nil)
        #expect(
            DecisionLogLine.text(session: 1, step: "connect", decision: session.connect(address: "192.0.2.1", hostname: "h"))
                == #"session 0000000000000001 addr l.conf:1 accept session, matched "192.0.2.1""#)
        // Later steps are covered by the earlier decision: the step, the rule and why.
        #expect(
            DecisionLogLine.text(session: 1, step: "rcpt", decision: session.rcpt("a@b.example"))
                == "session 0000000000000001 rcpt l.conf:1 accept (accept session)")
    }

    @Test("fail-closed after a PCRE2 limit: the stage, the verdict, why, and the input the limit was hit on")
    func failClosed() throws {
        let session = try evaluator("set fail-closed on\nset match-limit 1000\nmail /(a+)+$/ reject\n")
        let sender = String(repeating: "a", count: 30) + "b"
        #expect(
            DecisionLogLine.text(session: 2, step: "mail", decision: session.mail(sender))
                == "session 0000000000000002 mail tempfail 451 4.3.0 Temporary failure evaluating rules"
                + " (l.conf:3: match limit exceeded, fail-closed), on \"\(sender)\"")
    }
}
