@testable import FilterRulesEngine
import Testing

@Suite("Server replies recorded in swaks transcripts (test --expect-recorded)")
struct RecordedReplyTests {
    /// A swaks session whose message the server refused, without any `#! expect`.
    static let refusedMessage = """
        #! connect 203.0.113.9 sender.example.net
        === Trying 127.0.0.1:25...
        <-  220 mx.example.org ESMTP OpenSMTPD
         -> EHLO sender.example.net
        <-  250-mx.example.org Hello
        <-  250 HELP
         -> MAIL FROM:<a@sender.example.net>
        <-  250 2.0.0 Ok
         -> RCPT TO:<bob@example.org>
        <-  250 2.1.5 Destination address valid
         -> DATA
        <-  354 Enter mail, end with "." on a line by itself
         -> Subject: free money
         ->
         -> click
         -> .
        <** 554 5.7.1 Spam
         -> QUIT
        <-  221 2.0.0 Bye

        """

    @Test("each reply is recorded with the step it answers (the greeting with the connection), the last line of a multi-line reply")
    func parsing() throws {
        let transcript = try TranscriptParser.parse(Self.refusedMessage, name: "s")
        #expect(transcript.connectRecordedReply == Transcript.RecordedReply(code: 220, text: "mx.example.org ESMTP OpenSMTPD", line: 3))
        #expect(transcript.steps.map { $0.recordedReply?.code } == [250, 250, 250, 354, 554, 221])
        #expect(transcript.steps[0].recordedReply?.text == "HELP")
        #expect(transcript.steps[4].recordedReply == Transcript.RecordedReply(code: 554, text: "5.7.1 Spam", line: 17))
        #expect(transcript.steps.allSatisfy { $0.expectation == nil })
    }

    @Test(
        "2xx and 3xx expect accept, 4xx tempfail, 421 disconnect, 5xx reject, each with its code",
        arguments: [
            (220, Transcript.ExpectedOutcome.accept), (354, .accept), (450, .tempfail), (421, .disconnect), (550, .reject),
        ])
    func outcomes(code: Int, outcome: Transcript.ExpectedOutcome) {
        #expect(
            Transcript.RecordedReply(code: code, text: "", line: 7).expectation
                == Transcript.Expectation(outcome: outcome, code: code, line: 7, source: .recordedReply))
    }

    @Test("a '#! expect' of the transcript is kept; the other steps expect what was recorded")
    func ownExpectationsWin() throws {
        let transcript = try shippedTranscripts().first { $0.name == "swaks-spam-rcpt.txt" }!.expectingRecordedReplies()
        #expect(transcript.connectExpectation == Transcript.Expectation(outcome: .accept, code: 220, line: 5, source: .recordedReply))
        let rcpt = transcript.steps.first { $0.kind.stepName == .rcpt }!
        #expect(rcpt.expectation == Transcript.Expectation(outcome: .tempfail, code: 451, line: 2))
        #expect(transcript.steps.first?.expectation?.source == .recordedReply)
        #expect(transcript.steps.last?.kind == .quit && transcript.steps.last?.expectation == nil)
    }

    @Test("the dry-run passes when the rules give the recorded answers and fails when they do not")
    func replay() throws {
        let transcript = try TranscriptParser.parse(Self.refusedMessage, name: "s").expectingRecordedReplies()
        let passing = try replayer("body /^click$/ reject 554 \"5.7.1 Spam\"\n").replay(transcript)
        #expect(passing.passed, "\(passing.text)")
        #expect(
            passing.text.contains(
                "  message  reject 554 5.7.1 Spam  [test.rules:1: body /^click$/ reject 554 \"5.7.1 Spam\"]"
                    + "  on body line 3: \"click\"  expected reject 554 (recorded): ok"))
        let failing = try replayer("# no rules\n").replay(transcript)
        #expect(!failing.passed)
        #expect(failing.text.hasSuffix("  message  accept  expected reject 554 (recorded): FAILED"))
        #expect(failing.steps.last?.recordedReply == "554 5.7.1 Spam" && failing.steps.last?.expectationSource == "recorded reply")
    }

    @Test("a recorded refusal of a step the dry-run did not reach holds: smtpd refused it itself")
    func notReachedRefusal() throws {
        let text = """
             -> EHLO x.example
            <-  250 ok
             -> RCPT TO:<bob@example.org>
            <** 503 5.5.1 Invalid command: Command not supported
             -> MAIL FROM:<a@x.example>
            <-  250 ok
             -> DATA
            <** 503 5.5.1 Invalid command: No recipient specified
            """
        let report = try replayer("# none\n").replay(try TranscriptParser.parse(text, name: "n").expectingRecordedReplies())
        #expect(report.steps.map(\.answer) == ["accept", "accept", "not-reached", "accept", "not-reached"])
        #expect(report.passed, "\(report.text)")
    }
}
