import Foundation
import SMTPDTestDouble
import Testing

/// The header limit in the real `filter-rules`: a long folded header passes through
/// unchanged, and the header rules see its first 64 KiB.
@Suite("filter-rules serve: header limit")
struct HeaderLimitServeTests {
    /// A message whose Subject is folded over 2,000 continuation lines of 1,000 bytes
    /// (2 MB), ending in `last`.
    static func message(endingIn last: String) -> [UInt8] {
        var text = "Subject: start\n"
        let continuation = " " + String(repeating: "a", count: 999) + "\n"
        text += String(repeating: continuation, count: 1999)
        text += " " + String(repeating: "a", count: 999 - last.utf8.count) + last + "\n"
        return Array((text + "\nbody\n").utf8)
    }

    @Test("a 2 MB folded header comes back byte for byte; a header rule matches in its first 64 KiB, beyond only with set header-limit 0")
    func foldedHeaderPassesThrough() throws {
        let rules = "header Subject /NEEDLE$/ reject 551\nheader Subject /^start a{900}/ reject 552\n"
        for (options, code) in [("", Int32(552)), ("set header-limit 0\n", 551)] {
            let file = try TemporaryRulesFile(options + rules)
            let (_, smtpd) = try startServing(file)
            #expect(try connect(smtpd, session: 1).status == 0)
            try smtpd.event(.txBegin, session: 1)
            #expect(try smtpd.ask(.data, session: 1).status == 0)
            let message = Self.message(endingIn: "NEEDLE")
            let result = try smtpd.pushMessage(message, session: 1, timeout: 30)
            #expect(result.output == message)
            #expect(result.response.status != 0 && result.response.code == code, "\(options)")
        }
    }
}
