/// A structured MIME header value, `Content-Type` or `Content-Disposition` (RFC 2045
/// section 5.1, RFC 2183): the lowercased value before the first `;`, and the parameters,
/// with RFC 2231 continuations (`name*0`, `name*1*`, ...) joined and extended values
/// (`name*=charset'lang'%XX`) decoded to UTF-8. Lenient as mail clients are: unquoted
/// values with blanks, missing quotes at the end.
struct HeaderParameters {
    /// The value, lowercased, without blanks and comments (`text/plain`, `attachment`).
    var value: String
    /// The parameters by lowercased name, their values in UTF-8.
    private(set) var parameters: [String: [UInt8]] = [:]
    /// False when an extended value's charset was unknown or its bytes invalid in it.
    private(set) var clean = true

    /// The most RFC 2231 sections of one parameter that are joined.
    static let maximumSections = 100

    /// Parses a header's unfolded value.
    init(_ text: [UInt8]) {
        var scanner = Scanner(bytes: text)
        value = String(decoding: scanner.token(stoppingAt: UInt8(ascii: ";")), as: UTF8.self).lowercased()
        /// Sections of continued or extended parameters: name → (section → (extended, bytes)).
        var sections: [String: [Int: (extended: Bool, bytes: [UInt8])]] = [:]
        var plain: [String: [UInt8]] = [:]
        while scanner.skip(UInt8(ascii: ";")) {
            let rawName = String(decoding: scanner.token(stoppingAt: UInt8(ascii: "=")), as: UTF8.self).lowercased()
            guard scanner.skip(UInt8(ascii: "=")) else { continue }
            let parameterValue = scanner.parameterValue()
            guard !rawName.isEmpty else { continue }
            let parts = rawName.split(separator: "*", omittingEmptySubsequences: false)
            let name = String(parts[0])
            if parts.count == 1 {
                if plain[name] == nil { plain[name] = parameterValue }
            } else {
                // name*  |  name*N  |  name*N*
                let extended = rawName.hasSuffix("*")
                let number = parts.count >= 2 ? Int(parts[1]) : nil
                let section = number ?? 0
                guard section < Self.maximumSections, parts.count <= 3 else { continue }
                if sections[name, default: [:]][section] == nil {
                    sections[name, default: [:]][section] = (extended, parameterValue)
                }
            }
        }
        for (name, bytes) in plain { parameters[name] = bytes }
        for (name, numbered) in sections {
            var joined: [UInt8] = []
            var charset: String?
            var section = 0
            while let (extended, bytes) = numbered[section] {
                if extended {
                    var encoded = bytes[...]
                    if section == 0 {
                        // charset'language'value
                        let quotes = encoded.indices.filter { encoded[$0] == UInt8(ascii: "'") }.prefix(2)
                        if quotes.count == 2 {
                            charset = String(decoding: encoded[..<quotes[0]], as: UTF8.self)
                            encoded = encoded[(quotes[1] + 1)...]
                        }
                    }
                    joined.append(contentsOf: Self.percentDecoded(encoded))
                } else {
                    joined.append(contentsOf: bytes)
                }
                section += 1
            }
            let converted = TextDecoder.convertWhole(joined, charset: charset)
            if !converted.clean { clean = false }
            // An extended value wins over a plain one of the same name.
            parameters[name] = converted.text
        }
    }

    /// The parameter `name` (lowercase), in UTF-8.
    subscript(name: String) -> [UInt8]? { parameters[name] }

    /// `%XX` decoded; a `%` without two hex digits stays.
    private static func percentDecoded(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == UInt8(ascii: "%"), index + 2 < text.endIndex,
                let high = QuotedPrintableDecoder.hexValue(text[index + 1]),
                let low = QuotedPrintableDecoder.hexValue(text[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(text[index])
                index += 1
            }
        }
        return output
    }

    /// Walks a header value: tokens, quoted strings, comments.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        /// Skips blanks and (comments).
        mutating func skipBlanks() {
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a {
                    index += 1
                } else if byte == UInt8(ascii: "(") {
                    var depth = 0
                    while index < bytes.count {
                        if bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
                        if bytes[index] == UInt8(ascii: "(") { depth += 1 }
                        if bytes[index] == UInt8(ascii: ")") { depth -= 1; if depth == 0 { index += 1; break } }
                        index += 1
                    }
                } else {
                    return
                }
            }
        }

        /// Skips blanks, then `byte` if it is next; whether it was.
        mutating func skip(_ byte: UInt8) -> Bool {
            skipBlanks()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// The text up to `stop` or `;` (not included), without blanks and comments.
        mutating func token(stoppingAt stop: UInt8) -> [UInt8] {
            skipBlanks()
            var output: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == stop || byte == UInt8(ascii: ";") { break }
                if byte == UInt8(ascii: "(") { skipBlanks(); continue }
                if byte != 0x20 && byte != 0x09 { output.append(byte) }
                index += 1
            }
            return output
        }

        /// A parameter's value: a quoted string (unescaped), or the text up to `;` with
        /// trailing blanks dropped.
        mutating func parameterValue() -> [UInt8] {
            skipBlanks()
            var output: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                    output.append(bytes[index])
                    index += 1
                }
                index += 1
                return output
            }
            while index < bytes.count, bytes[index] != UInt8(ascii: ";") {
                output.append(bytes[index])
                index += 1
            }
            while let last = output.last, last == 0x20 || last == 0x09 { output.removeLast() }
            return output
        }
    }
}
