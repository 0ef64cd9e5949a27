import TestSupport
import Testing
@testable import FilterRules

/// The input a decision names: which recipient, which header or body line decided.
@Suite("Session evaluator: the input that decided")
struct MatchedInputTests {
    private func evaluator(_ rules: String) throws -> SessionEvaluator { try rulesSession(rules, file: "m.conf") }

    /// DATA, the lines, the final dot.
    private func message(_ evaluator: SessionEvaluator, _ lines: [String]) -> Decision {
        _ = evaluator.data()
        for line in lines { evaluator.dataLine(Array(line.utf8)) }
        return evaluator.endOfMessage()
    }

    @Test func envelopeDecisionsNameTheirInput() throws {
        let rules = "addr 192.0.2.0/24 reject\nconnect /dsl/ tempfail\nhelo /^x$/ accept\nrcpt /^root@/ tempfail\n"
        let session = try evaluator(rules)
        #expect(
            session.connect(address: "192.0.2.9", hostname: "a.dsl.example").matchedInput
                == MatchedInput(stage: .addr, bytes: Array("192.0.2.9".utf8)))
        #expect(
            session.connect(address: "203.0.113.1", hostname: "a.dsl.example").matchedInput
                == MatchedInput(stage: .connect, bytes: Array("a.dsl.example".utf8)))
        #expect(session.helo("x").matchedInput == MatchedInput(stage: .helo, bytes: [UInt8(ascii: "x")]))
        #expect(session.rcpt("bob@example.org").matchedInput == nil)
        let root = session.rcpt("root@example.org")
        #expect(root.verdict == .tempfail && root.matchedInput == MatchedInput(stage: .rcpt, bytes: Array("root@example.org".utf8)))
    }

    @Test func aNegatedRuleNamesTheInputItFailedToMatch() throws {
        let decision = try evaluator("helo ! /\\./ reject\n").helo("localhost")
        #expect(decision.verdict == .reject && decision.matchedInput?.bytes == Array("localhost".utf8))
    }

    @Test func aFoldedHeaderIsNamedUnfoldedAtTheLineItStarts() throws {
        let session = try evaluator("header Subject /cheap\\s+viagra/i reject\n")
        let decision = message(session, ["From: a@b.example", "Subject: Cheap", "\tVIAGRA", "", "body"])
        #expect(decision.matchedInput == MatchedInput(stage: .header, bytes: Array("Subject: Cheap\tVIAGRA".utf8), messageLine: 2))
    }

    @Test func bodyAndDataLinesAreNamedWithTheirLineWithoutTheLineEnd() throws {
        let session = try evaluator("body /bit\\.ly/ reject\ndataline /^X-Spam: yes/ tempfail\n")
        let body = message(session, ["Subject: hi", "", "hello", "see bit.ly/x\r", "bit.ly again"])
        #expect(body.matchedInput == MatchedInput(stage: .body, bytes: Array("see bit.ly/x".utf8), messageLine: 4))
        let dataline = message(session, ["Subject: hi", "X-Spam: yes", "", "bit.ly"])
        #expect(dataline.verdict == .tempfail)
        #expect(dataline.matchedInput == MatchedInput(stage: .dataline, bytes: Array("X-Spam: yes".utf8), messageLine: 2))
    }

    @Test func failClosedNamesTheInputTheLimitWasHitOn() throws {
        let session = try evaluator("set fail-closed on\nset match-limit 1000\nrcpt /(a+)+$/ reject\n")
        let subject = String(repeating: "a", count: 30) + "b"
        let decision = session.rcpt(subject)
        #expect(decision.verdict == .tempfail && decision.rule == nil)
        #expect(decision.matchedInput == MatchedInput(stage: .rcpt, bytes: Array(subject.utf8)))
    }

    @Test func anEarlierAcceptSessionNamesNoInput() throws {
        let session = try evaluator("addr 192.0.2.0/24 accept session\nrcpt /./ reject\n")
        #expect(session.connect(address: "192.0.2.1", hostname: "h").matchedInput?.stage == .addr)
        let later = session.rcpt("root@example.org")
        #expect(later.reason == "accept session" && later.matchedInput == nil)
    }
}
