import PCRE2Matching

/// Hints for the usual ways of getting a rule's pattern wrong, each a rule rewritten so
/// that it reads as meant.
enum PatternHints {
    /// For a regex whose closing `/` came before the text that follows it did not read on
    /// (flags or an action with a `/` in them): the `/` probably belonged to the regex.
    ///
    /// - Parameters:
    ///   - regex: the regex token, closed too early.
    ///   - rest: the offsets of what follows it and does not read (its flags, or the
    ///     word where the action was expected).
    ///   - expected: what was expected after the closing `/`.
    static func regexEndedEarly(
        _ regex: RuleToken, before rest: Range<Int>, in line: LogicalLine,
        expected: String
    ) -> String {
        let characters = line.characters
        // The regex meant runs to the last `/` of the rest, when flags follow that one, or
        // else to the end of the rest (and lacks its closing `/`).
        let lastSlash = characters[rest].lastIndex(of: "/") ?? rest.lowerBound
        let flags = String(characters[(lastSlash + 1)..<rest.upperBound])
        let meant: String
        if case .success = RegexFlags.parse(Substring(flags)) {
            meant = RegexLiteral.literal(characters[regex.contentOffset..<lastSlash], flags: flags)
        } else {
            meant = RegexLiteral.literal(characters[regex.contentOffset..<rest.upperBound])
        }
        return "regex ends early at this '/': expected \(expected) after it, found '\(String(characters[rest]))'; "
            + "write a slash inside a regex as \\/, as in \(meant)"
    }

    /// For an address block where a `/regex/` was expected (at a stage other than `addr`):
    /// the rule as an `addr` rule; nil when `pattern` is not an address block.
    static func addressBlockOutsideAddr(_ pattern: RuleToken, of tokens: [RuleToken], in line: LogicalLine) -> String? {
        guard case .word(let word) = pattern.kind, case .success = CIDRBlock.parse(word),
            tokens.count > 1, let last = tokens.last
        else { return nil }
        let rest = String(line.characters[tokens[1].offset..<last.end])
        return "address blocks work only in addr rules: write 'addr \(rest)'"
    }

    /// For a word or text where a `/regex/` was expected: how to write it as one; nil for
    /// a `!` word (a misplaced negation, not a regex).
    static func slashes(for pattern: RuleToken) -> String? {
        switch pattern.kind {
        case .word(let word) where LineShape.actionWords.contains(word.lowercased()):
            return "write the /regex/ before the action"
        case .word(let word) where !word.hasPrefix("!"):
            return "write it between slashes: \(RegexLiteral.literal(word))"
        case .quoted(let text):
            return "write it between slashes: \(RegexLiteral.literal(text))"
        default:
            return nil
        }
    }
}
