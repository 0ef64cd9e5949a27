import Foundation
import TestSupport
import Testing
@testable import FilterRules
import MIMEStream

/// Runs DATA, the lines of `message` (split at LF) and the final dot through a session of
/// `rules`; the decision and what the evaluator reported of the bounds it went past.
private func scan(_ rules: String, _ message: String) throws -> (Decision, [(MIMELimitExceeded, String)]) {
    try scan(rules, lines: message.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) })
}

private func scan(_ rules: String, lines: [[UInt8]]) throws -> (Decision, [(MIMELimitExceeded, String)]) {
    let evaluator = try rulesSession(rules, file: "o.conf")
    var reported: [(MIMELimitExceeded, String)] = []
    evaluator.onContentLimit = { exceeded, _, setting in reported.append((exceeded, setting)) }
    _ = evaluator.data()
    for line in lines { evaluator.dataLine(line) }
    return (evaluator.endOfMessage(), reported)
}

/// A multipart message whose last part is an attachment named `invoice.exe`, with `parts`
/// text parts before it and its Content-Disposition as given.
private func withAttachment(disposition: [String], before parts: Int = 1) -> String {
    var lines = [
        "From: a@example.org", "Subject: invoice", "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"b\"", "",
    ]
    for index in 0..<parts { lines += ["--b", "Content-Type: text/plain", "", "part \(index)"] }
    lines += ["--b", "Content-Type: application/octet-stream"] + disposition
    lines += ["Content-Transfer-Encoding: base64", "", "TVqQAAMAAAAEAAAA", "--b--", ""]
    return lines.joined(separator: "\n")
}

/// What a sender can pad past the decoder's bounds is never a silent pass: by default the
/// message is refused; `set oversized-header` and `set oversized-mime` choose.
@Suite("Oversized content: what the rules cannot see is not let through unseen")
struct OversizedContentTests {
    static let exe = "attachment /\\.exe$/i reject 550 \"5.7.1 executables refused\"\n"

    @Test("a filename after a 70 KB parameter: refused by default, not passed")
    func longParameter() throws {
        let padded = ["Content-Disposition: attachment; x-pad=\"\(String(repeating: "a", count: 70_000))\"; filename=\"invoice.exe\""]
        let (decision, reported) = try scan(Self.exe, withAttachment(disposition: padded))
        #expect(decision.verdict == .reject && decision.rule == nil)
        #expect(decision.reply == Reply(code: 554, text: "5.6.0 Message refused: it has a header longer than 65536 bytes, more than this server checks"))
        #expect(decision.reason == "a header (Content-Disposition) longer than 65536 bytes, set oversized-header reject")
        #expect(reported.map(\.1) == ["oversized-header reject"])
        // Within the limit the rule itself decides.
        let short = ["Content-Disposition: attachment; x-pad=\"\(String(repeating: "a", count: 1_000))\"; filename=\"invoice.exe\""]
        let (seen, none) = try scan(Self.exe, withAttachment(disposition: short))
        #expect(seen.reply?.code == 550 && seen.rule?.location.line == 1)
        #expect(none.isEmpty)
    }

    @Test("a filename after 8,000 folded short lines, each within smtpd's line limit")
    func foldedLines() throws {
        let folded = ["Content-Disposition: attachment;"] + (0..<8_000).map { " x-\($0)=\"padding-padding\";" } + [" filename=\"invoice.exe\""]
        let (decision, _) = try scan(Self.exe, withAttachment(disposition: folded))
        #expect(decision.verdict == .reject && decision.reply?.code == 554)
        let (deferred, _) = try scan("set oversized-header tempfail\n" + Self.exe, withAttachment(disposition: folded))
        #expect(deferred.verdict == .tempfail && deferred.reply?.code == 451)
        let (accepted, reported) = try scan("set oversized-header accept\n" + Self.exe, withAttachment(disposition: folded))
        #expect(accepted.isAccept, "the admin's choice, logged")
        #expect(reported.map(\.1) == ["oversized-header accept"])
    }

    @Test("a Subject padded with encoded words past the limit")
    func paddedSubject() throws {
        let words = Array(repeating: "=?UTF-8?B?ICAgIA==?=", count: 4_000).joined(separator: " ")
        let message = "Subject: \(words) =?UTF-8?B?Y2hlYXAgcGlsbHM=?=\n\nhello\n"
        let (decision, _) = try scan("header Subject /cheap pills/ reject\n", message)
        #expect(decision.verdict == .reject && decision.rule == nil && decision.reply?.code == 554)
    }

    @Test("a decoded body line over 64 KiB: text across the cut is in no piece, so it is refused")
    func longDecodedLine() throws {
        var text = [UInt8](repeating: UInt8(ascii: "x"), count: 65_536 - 4) + Array("BUY NOW".utf8)
        text += [UInt8](repeating: UInt8(ascii: "y"), count: 100)
        let body = base64Lines(text)
        let message = ["Content-Type: text/plain", "Content-Transfer-Encoding: base64", ""] + body
        let lines = message.map { Array($0.utf8) }
        let (decision, reported) = try scan("body /BUY NOW/ reject\n", lines: lines)
        #expect(decision.verdict == .reject && decision.rule == nil)
        #expect(decision.reason == "a line of decoded text longer than 65536 bytes, set oversized-mime reject")
        #expect(reported.count == 1)
        // Without body rules the cut hides nothing from the rules: no decision.
        let (others, none) = try scan("header Subject /x/ reject\n", lines: lines)
        #expect(others.isAccept && none.isEmpty)
        let (accepted, _) = try scan("set oversized-mime accept\nbody /BUY NOW/ reject\n", lines: lines)
        #expect(accepted.isAccept)
    }

    @Test("an attachment after more than 1,000 parts")
    func manyParts() throws {
        let filename = ["Content-Disposition: attachment; filename=\"invoice.exe\""]
        let (decision, _) = try scan(Self.exe, withAttachment(disposition: filename, before: 1_001))
        #expect(decision.verdict == .reject && decision.reason == "more than 1000 MIME parts, set oversized-mime reject")
        let (seen, _) = try scan(Self.exe, withAttachment(disposition: filename, before: 10))
        #expect(seen.rule?.location.line == 1)
    }

    @Test("an attachment nested deeper than 20 multiparts")
    func deepNesting() throws {
        var lines = ["Subject: deep", "Content-Type: multipart/mixed; boundary=\"d0\"", ""]
        for depth in 1...25 { lines += ["--d\(depth - 1)", "Content-Type: multipart/mixed; boundary=\"d\(depth)\"", ""] }
        lines += ["--d25", "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"invoice.exe\"", "", "AAAA"]
        let (decision, _) = try scan(Self.exe, lines.joined(separator: "\n"))
        #expect(decision.verdict == .reject && decision.reason == "MIME parts nested deeper than 20, set oversized-mime reject")
    }

    @Test("a multipart whose boundary is longer than 200 bytes")
    func longBoundary() throws {
        let boundary = String(repeating: "b", count: 300)
        let message = [
            "Subject: x", "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "", "--\(boundary)",
            "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"invoice.exe\"", "",
            "AAAA", "--\(boundary)--", "",
        ].joined(separator: "\n")
        let (decision, _) = try scan(Self.exe, message)
        #expect(decision.verdict == .reject && decision.reason == "a multipart boundary longer than 200 bytes, set oversized-mime reject")
    }

    @Test("report-only mode: the refusal is withheld, the message goes on")
    func reportOnly() throws {
        let folded = ["Content-Disposition: attachment;"] + (0..<8_000).map { " x-\($0)=\"padding-padding\";" } + [" filename=\"invoice.exe\""]
        let (decision, _) = try scan("set mode report-only\n" + Self.exe, withAttachment(disposition: folded))
        #expect(decision.isAccept)
        #expect(decision.withheld?.verdict == .reject && decision.withheld?.reason?.hasSuffix("set oversized-header reject") == true)
    }

    @Test("past the scan limit the admin chose, or after a verdict, nothing more is decided")
    func afterScanLimitOrVerdict() throws {
        let folded = ["Content-Disposition: attachment;"] + (0..<8_000).map { " x-\($0)=\"padding-padding\";" } + [" filename=\"invoice.exe\""]
        // 300 text parts before it: the rules have seen 1 KiB of decoded content by then.
        let (limited, none) = try scan("set scan-limit 1k\n" + Self.exe, withAttachment(disposition: folded, before: 300))
        #expect(limited.isAccept && none.isEmpty)
        let (decided, _) = try scan("header Subject /^invoice$/ reject 553\n" + Self.exe, withAttachment(disposition: folded))
        #expect(decided.reply?.code == 553, "the first verdict stands")
    }

    @Test("the options parse, and a bad value is a placed error")
    func options() throws {
        let file = try RuleSetLoader.parse(text: "set oversized-header tempfail\nset oversized-mime accept\n", file: "o.conf")
        #expect(file.options.oversizedHeader == .tempfail && file.options.oversizedMIME == .accept)
        #expect(try RuleSetLoader.parse(text: "", file: "o.conf").options.oversizedHeader == .reject)
        #expect(throws: RulesFileError.self) { try RuleSetLoader.parse(text: "set oversized-mime drop\n", file: "o.conf") }
        do {
            _ = try RuleSetLoader.parse(text: "set oversized-mime drop\n", file: "o.conf")
        } catch {
            #expect(error.diagnostics.first?.description == "o.conf:1:20: bad value 'drop' for oversized-mime, expected reject, tempfail or accept")
        }
    }
}

/// The base64 of `bytes`, in lines of 76 (Foundation's encoder).
private func base64Lines(_ bytes: [UInt8]) -> [String] {
    Data(bytes).base64EncodedString(options: .lineLength76Characters).components(separatedBy: "\r\n")
}
