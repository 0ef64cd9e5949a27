import FilterRules
@testable import FilterRulesEngine
import Foundation
import Testing

@Suite("Dry-run reports: the input of each step, and PCRE2 limits")
struct StepInputReportTests {
    static let session = """
        #! connect 203.0.113.5 client.example
        HELO client.example
        MAIL FROM:<a@client.example>
        RCPT TO:<bob@example.org>
        RCPT TO:<root@example.org>
        DATA
        Subject: hello

        first
        see bit.ly/x
        .
        QUIT

        """

    @Test("a recipient step names its recipient; the message step the body line that decided, counted in the client's message")
    func inputs() throws {
        let rules = "rcpt /^root@/ tempfail\nbody /bit\\.ly/ reject 554 \"5.7.1 Links\"\n"
        let report = try replayer(rules).replay(try TranscriptParser.parse(Self.session, name: "t"))
        let rcpt = report.steps.filter { $0.step == "rcpt" }
        #expect(rcpt.map(\.input) == ["bob@example.org", "root@example.org"])
        #expect(rcpt[0].matched == nil)
        #expect(rcpt[1].matched == MatchedInputReport(stage: "rcpt", messageLine: nil, text: "root@example.org", length: 16, truncated: false))
        let message = try #require(report.steps.last)
        #expect(message.matched == MatchedInputReport(stage: "body", messageLine: 4, text: "see bit.ly/x", length: 12, truncated: false))
        #expect(
            report.text.split(separator: "\n").map(String.init) == [
                "t (client 203.0.113.5 client.example): PASS",
                "  connect  accept",
                "  helo     accept  on HELO name: \"client.example\"",
                "  mail     accept  on sender: \"a@client.example\"",
                "  rcpt     accept  on recipient: \"bob@example.org\"",
                "  rcpt     tempfail 451 4.7.1 Temporarily refused by policy, try again later  [test.rules:1: rcpt /^root@/ tempfail]  on recipient: "
                    + "\"root@example.org\"",
                "  data     accept",
                "  message  reject 554 5.7.1 Links  [test.rules:2: body /bit\\.ly/ reject 554 \"5.7.1 Links\"]  on body line 4: \"see bit.ly/x\"",
            ])
    }

    @Test("the JSON report carries the matched input's stage, line, text and length")
    func json() throws {
        let report = try replayer("header Subject /hello/ reject\n").replay(try TranscriptParser.parse(Self.session, name: "t"))
        let encoder = JSONEncoder()
        let object = try JSONSerialization.jsonObject(with: encoder.encode(report)) as! [String: Any]
        let message = (object["steps"] as! [[String: Any]]).last!
        let matched = message["matched"] as! [String: Any]
        #expect(matched["stage"] as? String == "header" && matched["messageLine"] as? Int == 1)
        #expect(matched["text"] as? String == "Subject: hello" && matched["length"] as? Int == 14 && matched["truncated"] as? Bool == false)
        #expect(object["accepted"] as? Bool == false)
    }

    @Test("an input in smtpd's Received header has no line of the client's message")
    func receivedHeader() throws {
        let report = try replayer("header Received /dry-run\\.invalid/ reject\n").replay(try TranscriptParser.parse(Self.session, name: "t"))
        let matched = try #require(report.steps.last?.matched)
        #expect(matched.stage == "header" && matched.messageLine == nil && matched.text.hasPrefix("Received: from client.example"))
        #expect(report.text.contains("on smtpd's Received header: \"Received: from client.example (client.example [203.0.113.5])\\tby dry-run.invalid"))
    }

    @Test("a regex that hits a PCRE2 limit is reported with its step: rule, limit, and what was done")
    func limitTreatedAsNoMatch() throws {
        let text = "DATA\nSubject: x\n\n" + String(repeating: "a", count: 30) + "b\n.\n"
        let transcript = try TranscriptParser.parse("HELO x.example\nMAIL FROM:<a@x.example>\nRCPT TO:<b@example.org>\n" + text, name: "t")
        let report = try replayer("set match-limit 1000\nbody /(a+)+$/ reject\n").replay(transcript)
        let message = try #require(report.steps.last)
        #expect(message.answer == "accept")
        #expect(message.regexLimits == [RegexLimitReport(rule: "test.rules:2", stage: "body", limit: "match limit exceeded", outcome: "treated as no match")])
        #expect(report.text.hasSuffix("  message  accept  (regex limit: body test.rules:2: match limit exceeded, treated as no match)"))
        #expect(report.steps.dropLast().allSatisfy { $0.regexLimits.isEmpty })
    }

    @Test("a long line's lowered match limit is reported like any PCRE2 limit")
    func loweredLimitReported() throws {
        let line = String(repeating: "ax", count: 19) + String(repeating: "x", count: 97_280 - 38)
        let transcript = try TranscriptParser.parse(
            "HELO x.example\nMAIL FROM:<a@x.example>\nRCPT TO:<b@example.org>\n"
                + "DATA\nSubject: x\n\n\(line)\n.\n", name: "t")
        let report = try replayer("body /(.*a){20}/ reject\n").replay(transcript)
        let message = try #require(report.steps.last)
        #expect(message.answer == "accept")
        #expect(
            message.regexLimits == [
                RegexLimitReport(
                    rule: "test.rules:1", stage: "body",
                    limit: "match limit exceeded (lowered to 1027 for 97280 bytes)",
                    outcome: "treated as no match")
            ])
    }

    @Test("fail-closed: the step is tempfailed, and the report says which rule's limit and on which input")
    func limitFailClosed() throws {
        let sender = String(repeating: "a", count: 30) + "b"
        let transcript = try TranscriptParser.parse("HELO x.example\nMAIL FROM:<\(sender)>\nQUIT\n", name: "t")
        let report = try replayer("set fail-closed on\nset depth-limit 50\nset match-limit 1000\nmail /(a+)+$/ reject\n").replay(transcript)
        let mail = try #require(report.steps.last)
        #expect(mail.answer == "tempfail" && mail.code == 451 && mail.rule == nil)
        #expect(mail.regexLimits.map(\.description) == ["mail test.rules:4: match limit exceeded, fail-closed: answered tempfail"])
        #expect(mail.matched?.text == sender && mail.matched?.stage == "mail")
        #expect(
            report.text.hasSuffix(
                "  mail     tempfail 451 4.3.0 Temporary failure evaluating rules  on sender: \"\(sender)\""
                    + "  (test.rules:4: match limit exceeded, fail-closed)"
                    + "  (regex limit: mail test.rules:4: match limit exceeded, fail-closed: answered tempfail)"))
    }
}
