import Foundation

/// Reading configuration files (rules files, table maps) as text, with the diagnostics
/// every such file reports the same way.
public enum ConfigurationText {
    /// The UTF-8 text of the file at `path`.
    ///
    /// - Throws: a diagnostic at `path:0:0` when the file cannot be read or is not UTF-8.
    public static func read(path: String) throws(RulesFileError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? String(describing: error)
            throw RulesFileError([RuleDiagnostic(SourceLocation(file: path, line: 0, column: 0), "cannot read the file: \(reason)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
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
