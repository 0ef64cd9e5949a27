import Foundation
import SMTPDTestDouble
import Testing

/// Through the real filter and the smtpd 6.6+ double: an attachment name hidden behind 8,000
/// folded lines is not let through unseen; the message comes back byte for byte and the
/// commit is refused, or passes when the admin chose so, with a log line either way.
@Suite("filter-rules serve: oversized content on the line protocol")
struct OversizedContentServeTests {
    static let exe = "attachment /\\.exe$/i reject 550 \"5.7.1 executables refused\"\n"

    static let message: [[UInt8]] = {
        var lines = [
            "Subject: invoice", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b\"", "",
            "--b", "Content-Type: text/plain", "", "see attached",
            "--b", "Content-Type: application/octet-stream", "Content-Disposition: attachment;",
        ]
        lines += (0..<8_000).map { " x-\($0)=\"padding-padding\";" }
        lines += [" filename=\"invoice.exe\"", "Content-Transfer-Encoding: base64", "", "TVqQAAMAAAAEAAAA", "--b--"]
        return lines.map { Array($0.utf8) }
    }()

    private func commit(_ rules: String) throws -> (answer: String, log: String) {
        let (process, smtpd, _) = try startLineServing(try TemporaryRulesFile(rules), version: "0.7")
        let session: UInt64 = 9
        try smtpd.report("link-connect", session: session, parameters: "a|pass|192.0.2.7:1|192.0.2.1:25")
        let output = try smtpd.message(Self.message, session: session)
        #expect(output == Self.message + [[UInt8(ascii: ".")]], "the message comes back unchanged")
        let answer = try smtpd.query("commit", session: session)
        _ = waitForLog(process, containing: "oversized-header")
        return (answer, process.stderrText)
    }

    @Test("refused by default, with the header limit in the reply and the log")
    func refusedByDefault() throws {
        let (answer, log) = try commit(Self.exe)
        #expect(answer.hasSuffix("|reject|554 5.6.0 Message refused: it has a header longer than 65536 bytes, more than this server checks"))
        #expect(
            log.contains("message line 11: a header (Content-Disposition) longer than 65536 bytes: the rules cannot see all of it, set oversized-header reject")
        )
    }

    @Test("set oversized-header accept: the message passes, logged")
    func acceptedWhenChosen() throws {
        let (answer, log) = try commit("set oversized-header accept\n" + Self.exe)
        #expect(answer.hasSuffix("|proceed"))
        #expect(log.contains("set oversized-header accept"))
    }
}
