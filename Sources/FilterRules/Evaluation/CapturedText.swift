/// Captured input made safe for an SMTP reply or a header line: printable ASCII only (a
/// control character, DEL or a non-ASCII byte becomes `?`, a tab a space, so no CR, LF or
/// NUL gets through) and at most ``maximumLength`` bytes (cut with `...`).
enum CapturedText {
    /// The most bytes of one capture that reach a reply or header.
    static let maximumLength = 128
    /// The longest reply text after expansion (an SMTP reply line is at most 512 bytes).
    static let maximumReplyText = 450

    /// `bytes` sanitised.
    static func sanitised(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes.prefix(maximumLength) {
            switch byte {
            case 0x09: scalars.append(" ")
            case 0x20...0x7e: scalars.append(Unicode.Scalar(byte))
            default: scalars.append("?")
            }
        }
        if bytes.count > maximumLength { scalars.append(contentsOf: "...".unicodeScalars) }
        return String(scalars)
    }

    /// `text` cut to at most `limit` bytes (it is ASCII after expansion, but cut at a
    /// character boundary all the same).
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        for character in text {
            if result.utf8.count + character.utf8.count > limit { break }
            result.append(character)
        }
        return result
    }
}
