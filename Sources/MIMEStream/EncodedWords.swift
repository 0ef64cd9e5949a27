/// RFC 2047 encoded-words (`=?charset?B?...?=`, `=?charset?Q?...?=`) in a header value,
/// decoded to UTF-8. Adjacent encoded-words, with only blanks between them, are joined
/// without the blanks (RFC 2047 section 6.2), and their bytes are converted together when
/// they share a charset, so a character split across two words comes out whole. An RFC 2231
/// language (`charset*lang`) is ignored. A malformed encoded-word is left as it is.
enum EncodedWords {
    /// The decoded value.
    struct Decoded {
        /// The value in UTF-8.
        var text: [UInt8]
        /// False when an encoded-word could not be decoded (kept as it was), its charset was
        /// unknown or its bytes invalid in it.
        var clean: Bool
    }

    /// Decodes `value`; nil when it has no encoded-word (the caller keeps the value as it is).
    static func decode(_ value: ArraySlice<UInt8>) -> Decoded? {
        guard containsStart(value) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(value.count)
        var clean = true
        var run: (charset: String, bytes: [UInt8])?
        /// Blanks seen since the last encoded-word: dropped if another one follows.
        var gap: Range<Int>?
        func flushRun() {
            guard let pending = run else { return }
            let converted = TextDecoder.convertWhole(pending.bytes, charset: pending.charset)
            output.append(contentsOf: converted.text)
            if !converted.clean { clean = false }
            run = nil
        }
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            if byte == UInt8(ascii: "="), let word = parseWord(value, at: index) {
                if let decodedBytes = word.bytes {
                    if let pending = run, pending.charset != word.charset { flushRun() }
                    // Blanks between two encoded-words are not part of the text.
                    gap = nil
                    if run == nil { run = (word.charset, []) }
                    run!.bytes.append(contentsOf: decodedBytes)
                    index = word.end
                    continue
                }
                clean = false
            }
            if byte == 0x20 || byte == 0x09, run != nil {
                let start = gap?.lowerBound ?? index
                gap = start..<(index + 1)
                index += 1
                continue
            }
            flushRun()
            if let gapRange = gap { output.append(contentsOf: value[gapRange]) }
            gap = nil
            output.append(byte)
            index += 1
        }
        flushRun()
        if let gapRange = gap { output.append(contentsOf: value[gapRange]) }
        return Decoded(text: output, clean: clean)
    }

    /// Whether `value` has `=?` anywhere.
    private static func containsStart(_ value: ArraySlice<UInt8>) -> Bool {
        var index = value.startIndex
        while index + 1 < value.endIndex {
            if value[index] == UInt8(ascii: "="), value[index + 1] == UInt8(ascii: "?") { return true }
            index += 1
        }
        return false
    }

    /// The encoded-word starting at `start`: its charset, its decoded bytes (nil when its
    /// encoded text is not valid) and where it ends; nil when there is none.
    private static func parseWord(_ value: ArraySlice<UInt8>, at start: Int)
        -> (charset: String, bytes: [UInt8]?, end: Int)?
    {
        guard start + 1 < value.endIndex, value[start + 1] == UInt8(ascii: "?") else { return nil }
        var index = start + 2
        let charsetStart = index
        while index < value.endIndex, value[index] != UInt8(ascii: "?") {
            let byte = value[index]
            if byte <= 0x20 || byte >= 0x7f || index - charsetStart > 64 { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < value.endIndex, value[index + 2] == UInt8(ascii: "?") else { return nil }
        var charset = String(decoding: value[charsetStart..<index], as: UTF8.self)
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        let encoding = value[index + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q") else { return nil }
        let textStart = index + 3
        var textEnd = textStart
        while textEnd < value.endIndex, value[textEnd] != UInt8(ascii: "?") { textEnd += 1 }
        guard textEnd + 1 < value.endIndex, value[textEnd + 1] == UInt8(ascii: "=") else { return nil }
        let text = value[textStart..<textEnd]
        let bytes =
            encoding == UInt8(ascii: "b")
            ? Base64Decoder.decodeWhole(text)
            : QuotedPrintableDecoder.decodeEncodedWord(text)
        return (charset, bytes, textEnd + 2)
    }
}
