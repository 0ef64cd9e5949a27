import PCRE2Matching

/// The VALUE of a map line: literal text with references to the regex's capture groups.
///
/// As in Postfix's pcre_table(5): `$N` (every digit that follows: `$12` is group 12),
/// `${N}` and `$(N)` refer to group N (`$0` is the whole match), `$$` stands for a dollar
/// sign. A group that did not take part in the match expands to nothing.
public struct ValueTemplate: Equatable, Sendable, CustomStringConvertible {
    /// A piece of the value.
    public enum Part: Equatable, Sendable {
        /// Text copied as is.
        case literal(String)
        /// The text a capture group matched (0 = the whole match).
        case group(Int)
    }

    /// A `$` that is not followed by a digit, `{N}` or another `$`.
    public struct SyntaxError: Error, Equatable, Sendable {
        /// Character offset of the `$` in the value.
        public var offset: Int
        /// What is wrong.
        public var message: String

        /// Creates the error.
        public init(offset: Int, message: String) {
            self.offset = offset
            self.message = message
        }
    }

    /// The pieces in order; adjacent literal text is joined.
    public let parts: [Part]
    /// Character offsets of the group references in the value, in order, with their groups.
    public let references: [(group: Int, offset: Int)]
    /// The value as written in the map file.
    public let source: String

    /// Parses `text`, the value as written.
    public init(parsing text: String) throws(SyntaxError) {
        let characters = Array(text)
        var parts: [Part] = []
        var references: [(group: Int, offset: Int)] = []
        var literal = ""
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "$" else {
                literal.append(character)
                index += 1
                continue
            }
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if next == "$" {
                literal.append("$")
                index += 2
            } else if let next, next.isASCII, next.isNumber {
                var end = index + 1
                while end < characters.count, characters[end].isASCII, characters[end].isNumber { end += 1 }
                guard end - (index + 1) <= 4, let number = Int(String(characters[(index + 1)..<end])) else {
                    throw SyntaxError(offset: index, message: Self.badDollar)
                }
                flush()
                parts.append(.group(number))
                references.append((number, index))
                index = end
            } else if let next, next == "{" || next == "(",
                let close = characters[(index + 2)...].firstIndex(of: next == "{" ? "}" : ")"),
                close > index + 2,
                characters[(index + 2)..<close].allSatisfy({ $0.isASCII && $0.isNumber }),
                close - (index + 2) <= 4,
                let number = Int(String(characters[(index + 2)..<close]))
            {
                flush()
                parts.append(.group(number))
                references.append((number, index))
                index = close + 1
            } else {
                throw SyntaxError(offset: index, message: Self.badDollar)
            }
        }
        flush()
        self.parts = parts
        self.references = references
        self.source = text
    }

    /// The message for a `$` that is not a group reference.
    static let badDollar = "bad '$' in the value, expected $N, ${N}, $(N) or $$"

    /// The highest group referred to, or nil when the value has no references.
    public var highestGroup: Int? { references.map(\.group).max() }

    /// Templates are equal when they were written the same.
    public static func == (lhs: ValueTemplate, rhs: ValueTemplate) -> Bool { lhs.source == rhs.source }

    /// The value's text when it refers to no group (`$$` already resolved).
    public var literalText: String? {
        guard highestGroup == nil else { return nil }
        return parts.map { if case let .literal(text) = $0 { return text } else { return "" } }.joined()
    }

    /// The value with each reference replaced by what its group matched in `subject`.
    ///
    /// - Parameter groups: byte ranges in `subject` per group (index 0 = whole match), as
    ///   `PCRE2Regex.captures(in:scratch:)` reports them.
    public func expand(subject: [UInt8], groups: [Range<Int>?]) -> String {
        var bytes: [UInt8] = []
        for part in parts {
            switch part {
            case let .literal(text):
                bytes += Array(text.utf8)
            case let .group(number):
                if number < groups.count, let range = groups[number] { bytes += subject[range] }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The value as written.
    public var description: String { source }
}
