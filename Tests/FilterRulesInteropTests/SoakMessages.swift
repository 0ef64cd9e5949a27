/// The messages of the soak, as templates: each session puts its own marker where
/// `placeholder` stands (in the Subject and the Message-ID), so a delivered file names the
/// session that sent it, and the bytes it must contain are the template's with that marker.
/// LF line ends; the client sends CRLF and dot-stuffs.
enum SoakMessage: String, CaseIterable, Sendable {
    /// About 1.5 KB: lines that start with a dot, a line that is only a dot, UTF-8, a tab,
    /// trailing blanks, an empty line in the body, a 900-byte line.
    case small
    /// About 42 KB in 1,000 lines, a third of them starting with one or two dots, a few only a dot.
    case dots
    /// A little over 1 MiB of 76-byte lines, some of them dot-leading.
    case large
    /// A small message with a line the body rule refuses.
    case spam

    /// Where a session's marker goes.
    static let placeholder = "@@SOAK-MARKER@@"

    /// The template's bytes.
    var template: [UInt8] { Self.templates[self]!.bytes }

    /// The message a session with `marker` sends.
    func bytes(marker: String) -> [UInt8] {
        let parts = Self.templates[self]!.parts
        var bytes = parts[0]
        for part in parts.dropFirst() { bytes += Array(marker.utf8) + part }
        return bytes
    }

    /// Each template with its bytes cut at the placeholders, cut once: over a thousand
    /// delivered messages are checked.
    private static let templates: [SoakMessage: (bytes: [UInt8], parts: [[UInt8]])] = {
        let built: [SoakMessage: [UInt8]] = [.small: smallTemplate, .dots: dotsTemplate, .large: largeTemplate, .spam: spamTemplate]
        return built.mapValues { bytes in
            (bytes, bytes.split(separator: Array(placeholder.utf8), omittingEmptySubsequences: false).map { Array($0) })
        }
    }()

    /// The marker in a message's Message-ID header, if it has one.
    static func marker(in message: [UInt8]) -> String? {
        let prefix = Array("\nMessage-ID: <".utf8)
        guard let found = message.firstRange(of: prefix) else { return nil }
        let rest = message[found.upperBound...]
        guard let at = rest.firstIndex(of: UInt8(ascii: "@")) else { return nil }
        return String(decoding: rest[..<at], as: UTF8.self)
    }

    private static func message(subject: String, body: [String]) -> [UInt8] {
        let headers = [
            "From: Soak Sender <sender@example.org>",
            "To: someone@example.net",
            "Subject: \(subject) \(placeholder)",
            "Date: Wed, 25 Nov 2026 10:00:00 +0000",
            "Message-ID: <\(placeholder)@soak.test>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
        ]
        return Array(((headers + body).joined(separator: "\n") + "\n").utf8)
    }

    private static let awkwardLines = InteropMessage.awkwardLines

    private static let smallTemplate = message(subject: "soak small", body: awkwardLines)

    private static let spamTemplate = message(subject: "soak spam", body: ["Hello,", "BUY NOW while it lasts", "."] + awkwardLines)

    private static let dotsTemplate = message(
        subject: "soak dots",
        body: (0..<1_000).map { number in
            switch number % 6 {
            case 0: ".line \(number) starts with a dot"
            case 3: "..line \(number) starts with two dots"
            case 5 where number % 50 == 5: "."
            default: "line \(number) of the dots message, text to fill it up"
            }
        } + awkwardLines)

    /// 14,000 lines of 75 characters and LF: 1,064,000 bytes of body.
    private static let largeTemplate = message(
        subject: "soak large",
        body: (0..<14_000).map { number in
            let lead = number % 40 == 7 ? "." : "L"
            let text = lead + String(number, radix: 10).leftPadded(to: 6) + " "
            let fill = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-+"
            let start = fill.index(fill.startIndex, offsetBy: number % 64)
            return text + String((fill[start...] + fill).prefix(75 - text.count))
        } + awkwardLines)
}

private extension String {
    /// The string with leading zeros to `width` characters.
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
