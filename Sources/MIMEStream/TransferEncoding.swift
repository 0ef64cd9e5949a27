/// A part's Content-Transfer-Encoding (RFC 2045 section 6).
enum TransferEncoding: Equatable {
    /// 7bit, 8bit, binary, or none given: the lines are the text.
    case identity
    case base64
    case quotedPrintable
    /// Anything else (x-uuencode, ...): the lines are taken as they are.
    case unknown(String)

    /// The encoding a header value names.
    init(_ value: [UInt8]?) {
        guard let value else {
            self = .identity
            return
        }
        let name = String(decoding: value, as: UTF8.self).lowercased()
            .trimmingCharacters(in: " \t\"")
        switch name {
        case "", "7bit", "8bit", "binary": self = .identity
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        default: self = .unknown(name)
        }
    }
}

extension String {
    /// The string without `characters` at either end.
    func trimmingCharacters(in characters: String) -> String {
        let set = Set(characters)
        guard let first = firstIndex(where: { !set.contains($0) }), let last = lastIndex(where: { !set.contains($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
