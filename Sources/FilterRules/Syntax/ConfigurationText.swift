/// Reading configuration files (rules files, table maps) as text, with the diagnostics
/// every such file reports the same way.
public enum ConfigurationText {
    /// The UTF-8 text of the file at `path`.
    ///
    /// - Throws: a diagnostic at `path:0:0` when the file cannot be read or is not UTF-8.
    public static func read(path: String) throws(RulesFileError) -> String {
        var bytes: [UInt8]
        do {
            bytes = try FileBytes.contents(of: path)
        } catch {
            throw RulesFileError([RuleDiagnostic(SourceLocation(file: path, line: 0, column: 0), "cannot read the file: \(error.reason)")])
        }
        // A leading byte-order mark is not text (as Foundation's UTF-8 decoding drops it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RulesFileError([RuleDiagnostic(SourceLocation(file: path, line: 0, column: 0), "the file is not UTF-8 text")])
        }
        return text
    }

    /// How many characters the first `bytes` UTF-8 bytes of `text` hold: turns PCRE2's
    /// byte offsets into columns.
    public static func characterCount(ofUTF8Prefix bytes: Int, in text: String) -> Int {
        var count = 0
        var consumed = 0
        for character in text {
            if consumed >= bytes { break }
            consumed += character.utf8.count
            count += 1
        }
        return count
    }
}
