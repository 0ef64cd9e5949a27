import Foundation
import Testing

extension FilterRulesInteropTests {
    /// Decoded content rules under Debian's real smtpd (the line protocol of 6.8), on messages
    /// Python's email package wrote (Tests/Fixtures/mime).
    @Suite("filter-rules under smtpd: decoded Subject, base64 body, clean MIME delivered intact")
    struct MIMEInteropTests {
        static let rules = """
            header subject /you have won/i reject 550 "5.7.1 No prizes"
            body /verify your account at http/ reject 554 "5.7.1 No phishing"
            """

        /// A corpus message, LF line ends, with a Message-ID (and Date) carrying a marker so
        /// the delivered copy can be found and smtpd adds no header but its trace headers.
        static func corpusMessage(_ name: String) throws -> InteropMessage {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/mime/\(name)")
            let bytes = Array(try Data(contentsOf: path)).filter { $0 != 0x0d }
            let marker = "interop-" + UUID().uuidString.lowercased()
            var head = "Message-ID: <\(marker)@interop.test>\n"
            if !bytes.contains("\nDate:") { head += "Date: Wed, 25 Nov 2026 10:00:00 +0000\n" }
            return InteropMessage(marker: marker, bytes: Array(head.utf8) + bytes)
        }

        @Test("an RFC 2047 Subject and a base64 body refuse the message at the final dot")
        func refused() throws {
            try withRealSMTPD(rules: Self.rules) { server in
                for (name, code, text) in [("base64-subject.eml", 550, "5.7.1 No prizes"), ("alternative.eml", 554, "5.7.1 No phishing")] {
                    let message = try Self.corpusMessage(name)
                    let transcript = try server.session(SMTPSessionPlan(message: message.bytes))
                    #expect(transcript.refusal?.stage == "message" && transcript.refusal?.code == code, "\(name): \(transcript)\n\(server.logTail())")
                    #expect(transcript.refusal?.text.contains(text) == true, "\(name): \(transcript)")
                }
            }
        }

        @Test("clean MIME messages (quoted-printable, base64 KOI8-R nested, ISO-2022-JP) are delivered byte-identical")
        func delivered() throws {
            try withRealSMTPD(rules: Self.rules) { server in
                for name in ["qp-latin1.eml", "koi8r-nested.eml", "iso-2022-jp.eml", "forwarded.eml"] {
                    let message = try Self.corpusMessage(name)
                    let transcript = try server.session(SMTPSessionPlan(message: message.bytes))
                    #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(name): \(transcript)\n\(server.logTail())")
                    let delivered = try #require(server.waitForDelivery(containing: message.marker), "\(name) not delivered\n\(server.logTail())")
                    let rest = InteropMessage.withoutTraceHeaders(delivered)
                    let intact = rest == message.bytes
                    #expect(intact, "\(name): \(rest.firstDifference(from: message.bytes))")
                }
            }
        }
    }
}
