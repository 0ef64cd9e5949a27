/// The quoted-printable decoding of one line (RFC 2045 section 6.7): `=XX` becomes the
/// byte, a `=` at the end of the line is a soft line break, trailing blanks are transport
/// padding and dropped. A `=` not followed by two hex digits is kept as it is.
enum QuotedPrintableDecoder {
    /// What decoding a line found.
    struct LineResult {
        /// The line ended in a soft line break: it continues on the next line.
        var softBreak: Bool
        /// It had a `=` that was neither a soft break nor followed by two hex digits.
        var malformed: Bool
    }

    /// Decodes `line` (without its line ending), appending the bytes to `output`, and a
    /// newline unless the line ends in a soft break.
    static func decode(_ line: [UInt8], into output: inout [UInt8]) -> LineResult {
        var end = line.count
        while end > 0, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        var malformed = false
        var index = 0
        while index < end {
            let byte = line[index]
            guard byte == UInt8(ascii: "=") else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 1 == end { return LineResult(softBreak: true, malformed: malformed) }
            if index + 2 < end, let high = hexValue(line[index + 1]), let low = hexValue(line[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                malformed = true
                output.append(byte)
                index += 1
            }
        }
        output.append(0x0a)
        return LineResult(softBreak: false, malformed: malformed)
    }

    /// The RFC 2047 `Q` encoding: like quoted-printable, and `_` stands for a space.
    static func decodeEncodedWord(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "_") {
                output.append(0x20)
            } else if byte == UInt8(ascii: "="), index + 2 < text.endIndex,
                let high = hexValue(text[index + 1]), let low = hexValue(text[index + 2])
            {
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return output
    }

    /// The value of a hex digit (either case), nil for any other byte.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
