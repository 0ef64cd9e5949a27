/// Reading configuration files (rules files, table maps) as text, with the diagnostics
/// every such file reports the same way.
public enum ConfigurationText {
    /// The UTF-8 text of the regular file at `path`, read with plain system calls.
    ///
    /// - Throws: a diagnostic naming `path` when it cannot be read (what it is instead of a
    ///   regular file, or who the process is and what the file allows), or at the line and
    ///   column of the first byte that is not UTF-8.
    public static func read(path: String) throws(ConfigurationTextError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path: path)
        } catch {
            throw ConfigurationTextError(SourceLocation(file: path, line: 0, column: 0), error.message)
        }
        return try text(of: bytes, file: path)
    }

    /// `bytes` as text, when they are UTF-8; a leading byte-order mark (as some Windows
    /// editors write) is not part of the text.
    ///
    /// - Throws: a diagnostic at the first byte that is not, in the file named `file`.
    public static func text(of bytes: [UInt8], file: String) throws(ConfigurationTextError) -> String {
        if let bad = UTF8Location.firstInvalid(in: bytes) {
            let hex = String(bad.byte, radix: 16, uppercase: true)
            throw ConfigurationTextError(
                SourceLocation(file: file, line: bad.line, column: bad.column),
                "byte 0x\(hex) is not UTF-8, expected a UTF-8 text file; convert the file, e.g. with iconv -f ISO-8859-1 -t UTF-8")
        }
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        return String(decoding: bytes.starts(with: byteOrderMark) ? bytes.dropFirst(3) : bytes[...], as: UTF8.self)
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
