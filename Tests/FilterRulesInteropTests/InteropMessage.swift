import Foundation

/// A message a test sends, marked so it can be found among the delivered files.
struct InteropMessage {
    /// A unique token in the Subject and Message-ID.
    let marker: String
    /// The message as sent, LF line ends (the client sends CRLF and dot-stuffs).
    let bytes: [UInt8]

    /// A message with the awkward parts of SMTP data: lines starting with a dot (and a line
    /// that is only a dot), a 900-byte line, UTF-8 text, a tab, trailing blanks and an empty
    /// line inside the body. It carries Date and Message-ID, so smtpd adds no header of its
    /// own but the trace headers in front. `body` lines go before the fixed ones.
    /// Body lines that exercise transparency: dot-stuffing, a lone dot, UTF-8, tabs and
    /// trailing blanks, an empty line, a 906-byte line.
    static let awkwardLines = [
        "First line of the body.",
        ".a line that starts with a dot",
        "..two dots",
        ".",
        "Grüße aus Köln: ünïcödé ✓ — 日本語",
        "\tindented with a tab, trailing blanks   ",
        "",
        "long: " + String(repeating: "0123456789", count: 90),
        "last line",
    ]

    static func sample(subject: String = "interop delivery", body: [String] = []) -> InteropMessage {
        let marker = "interop-" + UUID().uuidString.lowercased()
        let lines =
            [
                "From: Interop Sender <sender@example.org>",
                "To: someone@example.net",
                "Subject: \(subject) \(marker)",
                "Date: Wed, 25 Nov 2026 10:00:00 +0000",
                "Message-ID: <\(marker)@interop.test>",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: 8bit",
                "",
            ] + body + awkwardLines
        return InteropMessage(marker: marker, bytes: Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// A delivered file without the trace headers smtpd puts in front of the message
    /// (Return-Path, Delivered-To, Received, with their continuation lines).
    static func withoutTraceHeaders(_ delivered: [UInt8]) -> [UInt8] {
        let traceNames = ["Return-Path:", "Delivered-To:", "Received:"].map { Array($0.utf8) }
        var start = 0
        var inTraceHeader = false
        while start < delivered.count {
            let end = delivered[start...].firstIndex(of: UInt8(ascii: "\n")) ?? delivered.count
            let line = delivered[start..<end]
            let continues = line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t")
            let isTrace = traceNames.contains { line.starts(with: $0) }
            guard isTrace || (continues && inTraceHeader) else { break }
            inTraceHeader = true
            start = end + 1
        }
        return Array(delivered[min(start, delivered.count)...])
    }
}

extension Array where Element == UInt8 {
    /// Whether the bytes contain the UTF-8 of `text`.
    func contains(_ text: String) -> Bool { contains(Array(text.utf8)) }

    /// Where two byte strings first differ, with a little context, for failure messages.
    func firstDifference(from other: [UInt8]) -> String {
        let common = Swift.min(count, other.count)
        guard let offset = (0..<common).first(where: { self[$0] != other[$0] }) ?? (count == other.count ? nil : common) else {
            return "identical"
        }
        let context = { (bytes: [UInt8]) in
            String(decoding: bytes[Swift.max(0, offset - 40)..<Swift.min(bytes.count, offset + 40)], as: UTF8.self).debugDescription
        }
        return "first difference at byte \(offset) (lengths \(count) and \(other.count)): \(context(self)) vs \(context(other))"
    }
}
