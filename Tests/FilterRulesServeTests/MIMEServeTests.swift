import Foundation
import SMTPDTestDouble
import Testing

/// A message of the MIME corpus (Tests/Fixtures/mime, written by Python's email package).
func mimeFixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/Tests/Fixtures/mime/" + name)))
}

/// The lines of `message` as the line protocol carries them: split at LF, CRs removed.
private func protocolLines(_ message: [UInt8]) -> [[UInt8]] {
    var lines = message.split(separator: 0x0a, omittingEmptySubsequences: false).map { line -> [UInt8] in
        line.last == 0x0d ? Array(line.dropLast()) : Array(line)
    }
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines
}

@Suite("filter-rules serve: decoded content rules through the daemon doubles")
struct MIMEServeTests {
    /// Rules that only the decoded forms match: the Subject is Q-encoded ("you_have_won"),
    /// the phishing line is only in the base64 text part.
    static let rules = """
        header subject /you have won/i reject 550 "5.7.1 No prizes"
        body /verify your account at http/ reject 554 "5.7.1 No phishing"
        attachment /\\.exe$/ reject 552 "5.7.1 No programs"
        """
    /// Refused: (file, code, text); clean messages delivered as they are.
    static let refused = [
        ("base64-subject.eml", 550, "5.7.1 No prizes"), ("alternative.eml", 554, "5.7.1 No phishing"),
        ("attachments.eml", 552, "5.7.1 No programs"),
    ]
    static let clean = ["qp-latin1.eml", "koi8r-nested.eml", "iso-2022-jp.eml"]

    @Test("6.0.x: an RFC 2047 Subject, a base64 body and an .exe name refuse at EOM; clean messages pass byte for byte")
    func v52() throws {
        let (_, smtpd) = try startServing(try TemporaryRulesFile(Self.rules))
        var session: UInt64 = 0x70
        for (name, code, text) in Self.refused.map({ ($0.0, $0.1, $0.2) }) + Self.clean.map({ ($0, 0, "") }) {
            session += 1
            #expect(try connect(smtpd, session: session).status == 0)
            try smtpd.event(.txBegin, session: session)
            #expect(try smtpd.ask(.data, session: session).status == 0)
            let message = try mimeFixture(name)
            let result = try smtpd.pushMessage(message, session: session)
            #expect(result.output == message, "\(name)")
            #expect(result.response.dataLength == UInt32(message.count))
            if code == 0 {
                #expect(result.response.status == 0, "\(name)")
            } else {
                #expect(result.response.status == 1 && result.response.code == code && result.response.line == text, "\(name)")
            }
        }
    }

    @Test("6.6+: the same verdicts at commit; every line, encoded ones too, passes through as it came")
    func line() throws {
        let (_, smtpd, registration) = try startLineServing(try TemporaryRulesFile(Self.rules))
        #expect(LineServeTests.filterPhases(registration).contains("data-line"))
        var session: UInt64 = 0x80
        for (name, code, text) in Self.refused.map({ ($0.0, $0.1, $0.2) }) + Self.clean.map({ ($0, 0, "") }) {
            session += 1
            try smtpd.report("link-connect", session: session, parameters: "c|pass|192.0.2.7:1|192.0.2.1:25")
            let lines = protocolLines(try mimeFixture(name))
            #expect(try smtpd.message(lines, session: session) == lines + [[UInt8(ascii: ".")]], "\(name)")
            let answer = try smtpd.query("commit", session: session)
            #expect(answer.hasSuffix(code == 0 ? "|proceed" : "|reject|\(code) \(text)"), "\(name): \(answer)")
        }
    }

    @Test("test --eml sees the same decoded content: the deciding input is the decoded text")
    func dryRun() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let paths = Self.refused.map { repositoryRoot + "/Tests/Fixtures/mime/" + $0.0 }
        let result = try runFilterRules(["test", "--rules", rules.path, "--eml"] + paths)
        #expect(result.status == 1)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].contains("message reject 550 5.7.1 No prizes") && lines[0].contains("\"Subject: Félicitations: you have won a prize\""))
        #expect(lines[1].contains("message reject 554 5.7.1 No phishing") && lines[1].contains("verify your account at http://paypa1.example/login"))
        #expect(lines[2].contains("message reject 552 5.7.1 No programs") && lines[2].contains("Zahlungserinnerung"))
    }
}
