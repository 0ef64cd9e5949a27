import TestSupport
import Testing
@testable import FilterRules

/// Runs the message `text` (lines split at LF) through an evaluator of `rules`; the verdict
/// and the decode problems reported.
private func verdict(_ rules: String, _ text: String) throws -> (Decision, problems: [String]) {
    let evaluator = try rulesSession(rules, file: "d.conf")
    var problems: [String] = []
    evaluator.onDecodeProblem = { problem, _ in problems.append(problem) }
    _ = evaluator.data()
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) { evaluator.dataLine(Array(line.utf8)) }
    return (evaluator.endOfMessage(), problems)
}

/// A message with a base64 text part and a PDF attachment (as a mail client writes them).
private let spam = """
    Subject: =?UTF-8?B?eW91IGhhdmUgd29u?=
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="XYZ"

    --XYZ
    Content-Type: text/plain; charset=utf-8
    Content-Transfer-Encoding: base64

    Q2xhaW0geW91ciBwcml6ZSBhdCBodHRwOi8vYml0Lmx5L3dpbg==
    --XYZ
    Content-Type: application/x-msdownload; name="prize.exe"
    Content-Disposition: attachment; filename*=UTF-8''prize%E2%82%AC.exe
    Content-Transfer-Encoding: base64

    TVqQAAMAAAAEAAAA
    --XYZ--
    """

@Suite("Decoded stages: header, body, attachment, mimetype see what the reader sees; dataline the raw lines")
struct DecodedStageTests {
    @Test("an RFC 2047 Subject: header rules see it decoded, at the line it starts on")
    func header() throws {
        let (decision, _) = try verdict("header Subject /you have won/ reject 551\n", spam)
        #expect(decision.reply?.code == 551)
        #expect(decision.matchedInput?.messageLine == 1)
        #expect(decision.matchedInput.map { String(decoding: $0.bytes, as: UTF8.self) } == "Subject: you have won")
        // The raw form is for dataline rules.
        #expect(try verdict("header Subject /eW91IGhhdmUgd29u/ reject\n", spam).0 == .accept)
        #expect(try verdict("dataline /eW91IGhhdmUgd29u/ reject 552\n", spam).0.reply?.code == 552)
    }

    @Test("a base64 body: body rules see the decoded text, not the encoding; dataline the reverse")
    func body() throws {
        let (decision, problems) = try verdict("body /bit\\.ly/ reject 553\n", spam)
        #expect(decision.reply?.code == 553)
        #expect(decision.matchedInput?.messageLine == 9)
        #expect(problems.isEmpty)
        #expect(try verdict("body /Q2xhaW0/ reject\n", spam).0 == .accept)
        #expect(try verdict("dataline /bit\\.ly/ reject\n", spam).0 == .accept)
        #expect(try verdict("dataline /^Q2xhaW0/ reject 554\n", spam).0.reply?.code == 554)
        // The attachment's bytes are no text.
        #expect(try verdict("body /MZ|TVqQ/ reject\n", spam).0 == .accept)
    }

    @Test("attachment rules see file names decoded (RFC 2231 wins over name=), mimetype rules each part's type")
    func namesAndTypes() throws {
        let (named, _) = try verdict("attachment /\\.exe$/ reject 555\n", spam)
        #expect(named.reply?.code == 555)
        #expect(named.matchedInput.map { String(decoding: $0.bytes, as: UTF8.self) } == "prize€.exe")
        #expect(named.matchedInput?.messageLine == 12)
        let (typed, _) = try verdict("mimetype /^application\\/x-msdownload$/ reject 556\n", spam)
        #expect(typed.reply?.code == 556)
        #expect(try verdict("mimetype /^image\\//i reject\n", spam).0 == .accept)
        // A message without MIME headers is text/plain.
        #expect(try verdict("mimetype /^text\\/plain$/ reject 557\n", "Subject: x\n\nhello").0.reply?.code == 557)
    }

    @Test("the scan limit counts decoded bytes for the decoded stages, raw bytes for dataline")
    func scanLimit() throws {
        // Each base64 line of 76 characters decodes to 57 bytes: 40 lines are 2,280 decoded
        // bytes but 3,080 raw ones.
        let text = String(repeating: "spam spam spam spam spam spam spam spam spam spam spam\r\n", count: 40) + "NEEDLE\r\n"
        let encoded = base64Lines(Array(text.utf8))
        let message = "Content-Transfer-Encoding: base64\n\n" + encoded.joined(separator: "\n")
        #expect(try verdict("set scan-limit 2500\nbody /NEEDLE/ reject 558\n", message).0.reply?.code == 558)
        #expect(try verdict("set scan-limit 2000\nbody /NEEDLE/ reject\n", message).0 == .accept)
    }

    @Test("accept at body stops the body rules; a verdict stops decoding")
    func acceptStage() throws {
        let message = "Subject: x\n\nfine\nspam\n"
        #expect(try verdict("body /fine/ accept\nbody /spam/ reject\n", message).0.isAccept)
        #expect(try verdict("body /spam/ reject 559\n", message).0.reply?.code == 559)
    }

    @Test("malformed MIME is reported and the raw text scanned")
    func malformed() throws {
        let message = "Content-Type: multipart/mixed\n\nclick http://bad.example\n"
        let (decision, problems) = try verdict("body /bad\\.example/ reject 560\n", message)
        #expect(decision.reply?.code == 560)
        #expect(problems == ["a multipart without a usable boundary, scanned as plain text"])
    }

    @Test("dataline rules still see every raw line in order, before the text of the same line")
    func order() throws {
        let message = "Subject: x\n\nsame line\n"
        #expect(ruleLine(try verdict("body /same/ reject\ndataline /same/ reject\n", message).0) == 2)
    }

    private func ruleLine(_ decision: Decision) -> Int? { decision.rule?.location.line }

}
