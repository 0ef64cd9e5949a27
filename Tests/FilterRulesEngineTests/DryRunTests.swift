import FilterRules
@testable import FilterRulesEngine
import Foundation
import Testing

/// The repository's top directory, found from this file's path.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The sample transcripts shipped under contrib/transcripts, sorted by name.
func shippedTranscripts() throws -> [Transcript] {
    let directory = repositoryRoot.appendingPathComponent("contrib/transcripts")
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".txt") }.sorted()
    return try names.map { name in
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try TranscriptParser.parse(Array(data), name: name)
    }
}

/// A replayer over rules given as text.
func replayer(_ rules: String, file: String = "test.rules") throws -> TranscriptReplayer {
    TranscriptReplayer(store: RuleSetStore(ruleSet: try RuleSetLoader.compile(text: rules, file: file)))
}

/// Rules that satisfy every expectation of the shipped transcripts.
let transcriptRules = """
    addr 192.0.2.0/29 accept session
    helo /^mx\\.example\\.org$/i reject 550 "5.7.1 You are not me"
    rcpt /^no-such-user@/ reject
    rcpt /^root@/ tempfail
    header Subject /cheap\\s+viagra/i reject 554 "5.7.1 Spam"
    set scan-limit 64k
    """

@Suite("Dry-run of transcripts")
struct DryRunTests {
    @Test("the shipped transcripts hold under rules written for them")
    func shippedTranscriptsPass() throws {
        let transcripts = try shippedTranscripts()
        #expect(transcripts.count >= 5)
        let replay = try replayer(transcriptRules)
        for (index, transcript) in transcripts.enumerated() {
            let report = replay.replay(transcript, sessionID: UInt64(index + 1))
            #expect(report.passed, "\(report.text)")
            #expect(report.steps.contains { $0.expectationHeld != nil }, "\(transcript.name) has no expectation")
        }
    }

    @Test("the shipped transcripts fail their expectations when no rule refuses anything")
    func shippedTranscriptsNeedRules() throws {
        let replay = try replayer("# no rules\n")
        let failing = try shippedTranscripts().filter { !replay.replay($0).passed }.map(\.name)
        #expect(failing == ["bounce-and-trusted.txt", "spam-content.txt", "spam-helo.txt", "swaks-spam-rcpt.txt"])
    }

    @Test("rules.example passes every shipped transcript")
    func rulesExamplePasses() throws {
        let path = repositoryRoot.appendingPathComponent("rules.example").path
        let store = try RuleSetStore(path: path)
        #expect(store.ruleSet.rules.count > 10)
        let replay = TranscriptReplayer(store: store)
        for transcript in try shippedTranscripts() {
            let report = replay.replay(transcript)
            #expect(report.passed, "\(report.text)")
        }
    }

    @Test("each step names its answer, code, text and deciding rule")
    func stepReports() throws {
        let transcript = try TranscriptParser.parse(
            """
            #! connect 198.51.100.23 host23.dsl.example.net
            HELO mx.example.org
            MAIL FROM:<a@b.example>
            QUIT

            """, name: "t")
        let report = try replayer(transcriptRules).replay(transcript)
        #expect(report.steps.map(\.step) == ["connect", "helo", "mail"])
        #expect(report.steps.map(\.answer) == ["accept", "reject", "not-reached"])
        let helo = report.steps[1]
        #expect(helo.code == 550 && helo.text == "5.7.1 You are not me")
        #expect(helo.rule == "test.rules:2" && helo.line == 2 && helo.input == "mx.example.org")
        #expect(helo.ruleSource == #"helo /^mx\.example\.org$/i reject 550 "5.7.1 You are not me""#)
        #expect(report.steps[2].note == "smtpd refuses MAIL before an accepted HELO/EHLO")
        #expect(report.passed, "no expectations, so nothing fails")
    }

    @Test("a trusted address accepted for the session covers later stages and says so")
    func acceptSessionCoversLaterStages() throws {
        let transcript = try TranscriptParser.parse(
            """
            #! connect 192.0.2.3 trusted.example
            HELO mx.example.org
            MAIL FROM:<a@b.example>
            RCPT TO:<root@example.org>
            QUIT

            """, name: "t")
        let report = try replayer(transcriptRules).replay(transcript)
        #expect(report.steps.map(\.answer) == ["accept", "accept", "accept", "accept"])
        #expect(report.steps[0].rule == "test.rules:1")
        #expect(report.steps.dropFirst().allSatisfy { $0.rule == "test.rules:1" && $0.note == "accept session" })
    }

    @Test("a failed expectation fails the transcript and shows what was expected")
    func failedExpectation() throws {
        let transcript = try TranscriptParser.parse(
            """
            #! connect 203.0.113.1 x.example
            #! expect helo accept
            HELO mx.example.org
            QUIT

            """, name: "t")
        let report = try replayer(transcriptRules).replay(transcript)
        #expect(!report.passed)
        #expect(report.steps[1].expected == "accept" && report.steps[1].expectationHeld == false)
        #expect(report.text.contains("expected accept: FAILED"))
        #expect(report.text.hasPrefix("t (client 203.0.113.1 x.example): FAIL"))
    }

    @Test("the JSON report carries every field and the verdict")
    func jsonReport() throws {
        let transcript = try shippedTranscripts().first { $0.name == "spam-content.txt" }!
        let report = try replayer(transcriptRules).replay(transcript)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try JSONSerialization.jsonObject(with: encoder.encode(report)) as! [String: Any]
        #expect(object["name"] as? String == "spam-content.txt")
        #expect(object["address"] as? String == "198.51.100.23")
        #expect(object["passed"] as? Bool == true)
        let steps = object["steps"] as! [[String: Any]]
        let message = steps.first { $0["step"] as? String == "message" }!
        #expect(message["answer"] as? String == "reject")
        #expect(message["code"] as? Int == 554)
        #expect(message["text"] as? String == "5.7.1 Spam")
        #expect(message["rule"] as? String == "test.rules:5")
        #expect(message["expected"] as? String == "reject 554")
        #expect(message["expectationHeld"] as? Bool == true)
    }
}
