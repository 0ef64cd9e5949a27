import ConfigurationFiles

/// A reply text or header line that may name what the deciding regex captured: `$0` (the
/// whole match), `$1` … `$9` (its groups), `$txt` (the TXT record of the DNS list entry the
/// rule's `listed` term found) and `$$` (a dollar sign).
///
/// Parsed from the text as written between the quotes, so every reference knows the file
/// position it was written at (for `check`'s diagnostics).
public struct CaptureTemplate: Hashable, Sendable {
    /// A piece of the text.
    public enum Piece: Hashable, Sendable {
        /// Text taken as it is (`$$` already made a `$`).
        case literal(String)
        /// What group N captured (0: the whole match).
        case group(Int)
        /// `$txt`: the TXT record of the listing that made the rule true.
        case listText
        /// `$score`: the transaction's score.
        case score
        /// `$symbols`: the rules that scored and their points.
        case symbols
    }

    /// A `$N` in the text, with where it was written.
    public struct Reference: Hashable, Sendable {
        /// The group number, 0 to 9.
        public var group: Int
        /// Where its `$` stands in the file.
        public var location: SourceLocation
    }

    /// The pieces in order.
    public var pieces: [Piece]
    /// Every `$N`, in order.
    public var references: [Reference]

    /// Whether the text holds `$txt`.
    public var usesListText: Bool { pieces.contains(.listText) }
    /// The highest group the text refers to, nil when it refers to none.
    public var highestGroup: Int? { references.map(\.group).max() }

    /// A problem in a text: where (character offset in the logical line) and what.
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    /// What a lone `$` is told.
    static let loneDollar =
        "'$' starts a capture reference in a text: write $0 (the whole match) to $9 "
        + "(a group), $txt (a DNS list's text), $score, $symbols, or $$ for a dollar sign"

    /// Parses the quoted token whose characters (opening quote included) start at `start`
    /// of `line`; `location` turns a line offset into a file position. Escapes are those of
    /// the tokenizer (`\"` and `\\`).
    static func parse(
        _ line: [Character], quotedAt start: Int,
        location: (Int) -> SourceLocation
    ) -> Result<CaptureTemplate, Failure> {
        var pieces: [Piece] = []
        var references: [Reference] = []
        var literal = ""
        var index = start + 1
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
        }
        while index < line.count {
            let c = line[index]
            if c == "\\", index + 1 < line.count, line[index + 1] == "\"" || line[index + 1] == "\\" {
                literal.append(line[index + 1])
                index += 2
                continue
            }
            if c == "\"" { break }
            if c == "$" {
                let next = index + 1 < line.count ? line[index + 1] : nil
                if next == "$" {
                    literal.append("$")
                    index += 2
                    continue
                }
                if let (word, piece) = [("symbols", Piece.symbols), ("score", .score), ("txt", .listText)].first(where: { word, _ in
                    index + word.count < line.count && String(line[index + 1...index + word.count]) == word
                }) {
                    flush()
                    pieces.append(piece)
                    index += 1 + word.count
                    continue
                }
                if let next, let digit = next.wholeNumberValue, next.isASCII {
                    flush()
                    pieces.append(.group(digit))
                    references.append(Reference(group: digit, location: location(index)))
                    index += 2
                    continue
                }
                return .failure(Failure(offset: index, message: loneDollar))
            }
            literal.append(c)
            index += 1
        }
        flush()
        return .success(CaptureTemplate(pieces: pieces, references: references))
    }

    /// The text with every reference replaced by what `captured(N)` gives and `$txt` by
    /// `listText` (both already sanitised by the caller); nil gives nothing.
    public func expand(listText: String? = nil, score: ScoreSheet? = nil, _ captured: (Int) -> String?) -> String {
        var text = ""
        for piece in pieces {
            switch piece {
            case .literal(let literal): text += literal
            case .group(let group): text += captured(group) ?? ""
            case .listText: text += listText ?? ""
            case .score: text += (score?.total ?? .zero).description
            case .symbols: text += score?.symbols ?? ""
            }
        }
        return text
    }

    /// The text with every reference left empty (what a negated or address-block rule gives).
    public var withoutCaptures: String { expand { _ in nil } }
}
