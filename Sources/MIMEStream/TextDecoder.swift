/// Text in a part's declared charset to UTF-8, as it streams: UTF-8 and US-ASCII (and an
/// undeclared charset) are passed through with ill-formed bytes replaced by U+FFFD, every
/// other charset goes through iconv.
struct TextDecoder {
    private var repair = UTF8Repair()
    private let converter: IconvConverter?

    /// A decoder for `charset` (nil or empty: undeclared). `known` is false when iconv does
    /// not know the charset: the text is then taken as UTF-8, as for an undeclared one.
    init(charset: String?) {
        let name = Self.normalised(charset)
        if Self.passesThrough(name) {
            converter = nil
            known = true
        } else {
            converter = IconvConverter(charset: name)
            known = converter != nil
        }
    }

    /// Whether the declared charset was known (or none was declared).
    let known: Bool

    /// Whether text is taken as UTF-8 as it is (no conversion needed, only the repair).
    var passesThrough: Bool { converter == nil }

    /// Appends `input`, converted, to `output`; false when something was replaced.
    mutating func append(_ input: [UInt8], final: Bool, into output: inout [UInt8]) -> Bool {
        if let converter { return converter.convert(input, final: final, into: &output) }
        return repair.append(input, final: final, into: &output)
    }

    /// Converts a whole text at once (an encoded-word, an RFC 2231 value); the second value
    /// is false when the charset was unknown or something was replaced.
    static func convertWhole(_ input: [UInt8], charset: String?) -> (text: [UInt8], clean: Bool) {
        var decoder = TextDecoder(charset: charset)
        var output: [UInt8] = []
        let clean = decoder.append(input, final: true, into: &output)
        return (output, clean && decoder.known)
    }

    /// The charset name lowercased and without blanks and quotes.
    static func normalised(_ charset: String?) -> String {
        guard let charset else { return "" }
        return String(charset.lowercased().filter { $0 != " " && $0 != "\t" && $0 != "\"" })
    }

    /// Names that mean UTF-8 text, or ASCII (a subset, and often mislabelled UTF-8).
    private static func passesThrough(_ name: String) -> Bool {
        switch name {
        case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "unicode-1-1-utf-8", "x-unknown", "unknown-8bit":
            return true
        default:
            return false
        }
    }
}
