/// Checks the header line of an `add-header` action: `Name: value`, as RFC 5322 allows it
/// and a mail server passes it on.
enum HeaderLineCheck {
    /// The longest header line added (RFC 5322's line limit, without CRLF).
    static let maximumLength = 998

    /// What is wrong with `text`, at which character offset; nil when it is a good header line.
    static func problem(in text: String) -> (offset: Int, message: String)? {
        let characters = Array(text)
        guard let colon = characters.firstIndex(of: ":") else {
            return (0, "expected 'Name: value' in add-header, found no ':' after the header name")
        }
        guard colon > 0 else { return (0, "expected a header name before ':' in add-header") }
        if let bad = characters[..<colon].firstIndex(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
            return (
                bad,
                "bad character '\(characters[bad])' in the header name of add-header, "
                    + "expected letters, digits and '-' before ':'"
            )
        }
        if let bad = characters.firstIndex(where: { !$0.isASCII }) {
            return (
                bad,
                "non-ASCII character '\(characters[bad])' in add-header: header lines are ASCII "
                    + "(RFC 5322); write other text as an RFC 2047 encoded-word"
            )
        }
        if text.utf8.count > maximumLength {
            return (maximumLength, "add-header line of \(text.utf8.count) bytes, at most \(maximumLength) fit a header line")
        }
        return nil
    }
}
