import ConfigurationFiles
import PCRE2Matching

/// The pattern of a map rule or `if` as Postfix's pcre_table(5) writes it: optional `!`
/// (each one toggles negation), a delimiter (any character but a letter, digit or blank;
/// traditionally `/`), the regex up to the next unescaped delimiter (backslash escapes are
/// kept for PCRE2), then flags up to the next blank.
struct MapPattern {
    /// The compiled regex, or nil when it had errors (they are in the scan's diagnostics).
    var regex: PCRE2Regex?
    /// Whether the pattern is negated (`!/re/`): it applies when the regex does not match.
    var negated: Bool
    /// The offset in the logical line just after the flags.
    var end: Int

    /// Matching is case-insensitive by default, and `.` matches a newline, as in Postfix.
    static let defaultFlags: RegexFlags = [.caseless, .dotAll]

    /// Scans the pattern at `start` of `line`; problems go to `diagnostics`. Nil when there is
    /// no pattern to speak of (no delimiter, no closing delimiter).
    static func scan(
        _ line: MapLogicalLine, at start: Int, file: String,
        diagnostics: inout [MapDiagnostic]
    ) -> MapPattern? {
        let characters = line.characters
        func at(_ offset: Int) -> SourceLocation { line.location(offset, file: file) }
        var index = start
        var negated = false
        while index < characters.count, characters[index] == "!" || MapLogicalLine.isBlank(characters[index]) {
            if characters[index] == "!" { negated.toggle() }
            index += 1
        }
        guard index < characters.count else {
            diagnostics.append(MapDiagnostic(at(index), "expected a /regex/ after '!'"))
            return nil
        }
        let delimiter = characters[index]
        guard !delimiter.isLetter, !delimiter.isNumber, delimiter != "\\" else {
            diagnostics.append(MapDiagnostic(at(index), "expected a /regex/, found '\(word(characters, from: index))'"))
            return nil
        }
        let opening = index
        var source = ""
        index += 1
        var closed = false
        while index < characters.count {
            let character = characters[index]
            if character == "\\" && index + 1 < characters.count {
                source.append(character)
                source.append(characters[index + 1])
                index += 2
                continue
            }
            index += 1
            if character == delimiter { closed = true; break }
            source.append(character)
        }
        guard closed else {
            diagnostics.append(MapDiagnostic(at(opening), "unterminated regex, expected a closing '\(delimiter)'"))
            return nil
        }
        var flags = defaultFlags
        while index < characters.count, !MapLogicalLine.isBlank(characters[index]) {
            if let message = toggle(characters[index], in: &flags) {
                diagnostics.append(MapDiagnostic(at(index), message))
            }
            index += 1
        }
        var regex: PCRE2Regex?
        do {
            regex = try PCRE2Regex(pattern: source, flags: flags)
        } catch {
            let column = opening + 1 + ConfigurationText.characterCount(ofUTF8Prefix: error.offset, in: source)
            diagnostics.append(MapDiagnostic(at(column), "regex error: \(error.message) (PCRE2 at offset \(error.offset))"))
        }
        return MapPattern(regex: regex, negated: negated, end: index)
    }

    /// Applies one flag letter (Postfix toggles each from its default); an error message
    /// for a letter table-pcre does not take.
    static func toggle(_ letter: Character, in flags: inout RegexFlags) -> String? {
        switch letter {
        case "i": flags.formSymmetricDifference(.caseless)
        case "m": flags.formSymmetricDifference(.multiline)
        case "s": flags.formSymmetricDifference(.dotAll)
        case "x": flags.formSymmetricDifference(.extended)
        case "u": flags.formSymmetricDifference(.utf)
        case "X": break  // PCRE_EXTRA: PCRE2 always rejects unknown escapes (Postfix with PCRE2 ignores X)
        case "A": return "flag 'A' (anchored) is not supported, start the pattern with \\A instead"
        case "E": return "flag 'E' (dollar at the end only) is not supported, end the pattern with \\z instead of $"
        case "U": return "flag 'U' (ungreedy) is not supported, start the pattern with (?U) instead"
        default: return "unknown flag '\(letter)', expected one of i, m, s, x, u (each toggles; X is accepted and ignored)"
        }
        return nil
    }

    /// The non-blank run of characters at `start`, for messages.
    static func word(_ characters: [Character], from start: Int) -> String {
        var end = start
        while end < characters.count, !MapLogicalLine.isBlank(characters[end]) { end += 1 }
        return String(characters[start..<end])
    }
}
