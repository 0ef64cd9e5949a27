/// A `#format rules` or `#format filter-regex` line: a comment to filter-regex (which
/// skips lines whose first word begins with `#`), and the format of the file to filter-rules.
enum FormatDirective {
    /// A `#format` line that does not name a format the right way.
    struct Failure: Error, Equatable {
        /// Where in the line.
        var offset: Int
        /// What is wrong, what was expected.
        var message: String
    }

    /// nil when `line` is not a `#format` line (its first word, in any case); else the
    /// format it names, or what is wrong with it.
    static func parse(_ line: [Character]) -> Result<RuleFileFormat, Failure>? {
        let words = LineWords.ranges(line).map { (text: String(line[$0]), offset: $0.lowerBound) }
        guard let first = words.first, first.text.lowercased() == "#format" else { return nil }
        let choices = "expected rules or filter-regex"
        guard words.count >= 2 else {
            return .failure(Failure(offset: line.count, message: "expected a format after '#format': rules or filter-regex"))
        }
        guard let format = RuleFileFormat(rawValue: words[1].text.lowercased()) else {
            return .failure(Failure(offset: words[1].offset, message: "unknown format '\(words[1].text)', \(choices)"))
        }
        if words.count > 2 {
            return .failure(
                Failure(
                    offset: words[2].offset,
                    message: "unexpected '\(words[2].text)' after '#format \(format)', expected the end of the line"))
        }
        return .success(format)
    }
}
