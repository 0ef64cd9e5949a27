import FilterRules

/// One line of a map file: a compiled regular expression and the value it maps to.
public struct PCREMapEntry: Sendable {
    /// The compiled `/REGEX/FLAGS`.
    public let regex: PCRE2Regex
    /// The VALUE with its group references.
    public let value: ValueTemplate
    /// Where the line starts (column 1).
    public let location: SourceLocation

    /// Creates an entry.
    public init(regex: PCRE2Regex, value: ValueTemplate, location: SourceLocation) {
        self.regex = regex
        self.value = value
        self.location = location
    }
}
