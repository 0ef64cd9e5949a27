/// An input as logs and reports show it: its first ``byteLimit`` bytes, with control
/// characters, other characters that do not print, quotes, backslashes and bytes that are not
/// UTF-8 escaped (`\r`, `\t`, `\x01`, `\u{202E}`, `\"`), so that a log line stays one line
/// and shows what was really there.
public struct InputExcerpt: Sendable, Equatable, CustomStringConvertible {
    /// How many bytes of an input are shown.
    public static let byteLimit = 200

    /// The escaped text of the shown bytes, without quotes.
    public let escaped: String
    /// The whole input's length in bytes.
    public let byteCount: Int
    /// Whether bytes were left off.
    public let isTruncated: Bool

    /// The excerpt of `bytes`; a character that would cross the byte limit is left off whole.
    public init(_ bytes: [UInt8], byteLimit: Int = InputExcerpt.byteLimit) {
        var text = ""
        var index = 0
        while index < bytes.count {
            let length = Self.sequenceLength(bytes, at: index)
            if index + length > byteLimit { break }
            if length == 1 {
                text += Self.escaped(byte: bytes[index])
            } else if let scalar = String(validating: bytes[index..<index + length], as: UTF8.self)?.unicodeScalars.first {
                text += Self.escaped(scalar: scalar)
            } else {
                text += Self.hex(bytes[index])
                index += 1
                continue
            }
            index += length
        }
        escaped = text
        byteCount = bytes.count
        isTruncated = index < bytes.count
    }

    /// The excerpt of a text.
    public init(_ text: String, byteLimit: Int = InputExcerpt.byteLimit) {
        self.init(Array(text.utf8), byteLimit: byteLimit)
    }

    /// `"escaped"`, followed by `... (N bytes)` when the input was cut.
    public var quoted: String {
        "\"\(escaped)\"" + (isTruncated ? "... (\(byteCount) bytes)" : "")
    }

    /// The quoted form.
    public var description: String { quoted }

    /// The length of the UTF-8 sequence a lead byte announces (1 for ASCII and for bytes
    /// that cannot start one, which are then shown as `\xNN`).
    private static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0xc2...0xdf: length = 2
        case 0xe0...0xef: length = 3
        case 0xf0...0xf4: length = 4
        default: return 1
        }
        return index + length <= bytes.count ? length : 1
    }

    private static func escaped(byte: UInt8) -> String {
        switch byte {
        case 0x09: return "\\t"
        case 0x0a: return "\\n"
        case 0x0d: return "\\r"
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\\"): return "\\\\"
        case 0x20...0x7e: return String(UnicodeScalar(byte))
        default: return hex(byte)
        }
    }

    private static func escaped(scalar: Unicode.Scalar) -> String {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            return "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        default:
            return String(scalar)
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0f)])"
    }
}
