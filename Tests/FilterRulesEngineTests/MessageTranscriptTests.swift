@testable import FilterRulesEngine
import Foundation
import Testing

/// A saved message from Tests/Fixtures/eml (written by Python's email package, see generate.py there).
func fixtureMessage(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/Fixtures/eml/\(name)")))
}

@Suite("Saved messages as transcripts (test --eml)")
struct MessageTranscriptTests {
    /// The message step's lines.
    private func lines(_ transcript: Transcript) -> [String] {
        for step in transcript.steps { if case .message(let lines) = step.kind { return lines.map { String(decoding: $0, as: UTF8.self) } } }
        return []
    }

    @Test("a session of its own: HELO, MAIL FROM the Return-Path, RCPT TO each To and Cc address once, DATA, the message, QUIT")
    func envelopeFromTheMessage() throws {
        let transcript = Transcript(message: try fixtureMessage("ham-lf.eml"), name: "ham-lf.eml")
        #expect(transcript.address == "127.0.0.1" && transcript.hostname == "localhost")
        #expect(
            transcript.steps.map(\.kind).filter { if case .message = $0 { false } else { true } } == [
                .helo("localhost"), .mail("alice-bounces@partner.example"), .rcpt("bob@example.org"), .rcpt("carol@example.org"), .data, .quit,
            ])
        #expect(transcript.steps.first { $0.kind.stepName == .message }?.line == 1)
        // Python's parser counts 16 lines, the Subject on line 5.
        #expect(lines(transcript).count == 16 && lines(transcript)[4] == "Subject: Lunch on Friday")
    }

    @Test("CRLF line ends are removed; no recipient named: the default recipient; no Return-Path: the From address")
    func crlfMessage() throws {
        let transcript = Transcript(message: try fixtureMessage("spam-crlf.eml"), name: "s")
        let text = lines(transcript)
        #expect(text.count == 15 && !text.contains { $0.contains("\r") })
        #expect(text[12] == "see bit.ly/x now" && text[3] == " today before it is gone")
        #expect(transcript.steps[1].kind == .mail("offers@deals.example.net"))
        #expect(transcript.steps[2].kind == .rcpt(MessageEnvelope.defaultRecipient))
    }

    @Test("lines starting with a dot, and a line that is only a dot, stay as the message holds them")
    func dotLinesAreNotUnstuffed() throws {
        let text = lines(Transcript(message: try fixtureMessage("dot-lines.eml"), name: "d"))
        #expect(Array(text[9...]) == ["first", ".hidden", "..two dots", ".", "last"])
    }

    @Test("the envelope given replaces what the message names")
    func givenEnvelope() throws {
        let envelope = MessageEnvelope(
            clientAddress: "192.0.2.9", clientHostname: "h.example", helo: "h.example",
            sender: "", recipients: ["x@example.org"])
        let transcript = Transcript(message: try fixtureMessage("ham-lf.eml"), name: "h", envelope: envelope)
        #expect(transcript.address == "192.0.2.9" && transcript.hostname == "h.example")
        #expect(Array(transcript.steps.prefix(3).map(\.kind)) == [.helo("h.example"), .mail(""), .rcpt("x@example.org")])
    }

    @Test("a last line without a line end is a line; an empty file is an empty message")
    func lineEnds() {
        #expect(Transcript.messageLines(Array("a\nb".utf8)) == [[0x61], [0x62]])
        #expect(Transcript.messageLines(Array("a\r\n\r\nb\r\n".utf8)) == [[0x61], [], [0x62]])
        #expect(Transcript.messageLines(Array("a\rb\n".utf8)) == [[0x61, 0x0d, 0x62]])
        #expect(Transcript.messageLines([]) == [])
    }

    @Test(
        "address lists: display names, comments, quoted commas, groups and <> are handled",
        arguments: [
            (#""Doe, J." <j@example.org>, k@example.org (K, the second)"#, ["j@example.org", "k@example.org"]),
            ("team: a@example.org, B <b@example.org>;, c@example.org", ["a@example.org", "b@example.org", "c@example.org"]),
            ("undisclosed-recipients:;", []),
            ("<>", []),
            ("  plain@example.org  ", ["plain@example.org"]),
            (#"(comment (nested)) "q\"uote" <q@example.org>"#, ["q@example.org"]),
        ])
    func addressLists(value: String, addresses: [String]) {
        #expect(AddressList.addresses(in: value) == addresses)
    }

    @Test("Return-Path <> is the null sender; without Return-Path and From the sender is null too")
    func nullSender() {
        let bounce = Transcript(message: Array("Return-Path: <>\nFrom: MAILER-DAEMON@example.org\n\nx\n".utf8), name: "b")
        #expect(bounce.steps[1].kind == .mail(""))
        let bare = Transcript(message: Array("Subject: x\nTo: a@example.org,\n b@example.org\n\nx\n".utf8), name: "n")
        #expect(Array(bare.steps[1...3].map(\.kind)) == [.mail(""), .rcpt("a@example.org"), .rcpt("b@example.org")])
    }
}
