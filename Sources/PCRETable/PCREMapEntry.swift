import ConfigurationFiles
import PCRE2Matching

/// One rule of a map file: a compiled regular expression and the value it maps to.
public struct PCREMapEntry: Sendable {
    /// The compiled `/REGEX/FLAGS`.
    public let regex: PCRE2Regex
    /// The VALUE with its group references.
    public let value: ValueTemplate
    /// Where the rule starts (column 1 of its first line).
    public let location: SourceLocation
    /// `!/REGEX/`: the rule applies when the regex does not match (its value has no group
    /// references then).
    public let negated: Bool

    /// Creates an entry.
    public init(regex: PCRE2Regex, value: ValueTemplate, location: SourceLocation, negated: Bool = false) {
        self.regex = regex
        self.value = value
        self.location = location
        self.negated = negated
    }
}

/// One step of a map, in file order: a rule, or the test of an `if` block.
public enum PCREMapStep: Sendable {
    /// A rule: the lookup ends here when it applies.
    case rule(PCREMapEntry)
    /// `if /REGEX/` (or `if !/REGEX/`): when the key does not pass, the lookup goes on at
    /// step `skipTo`, just after the block's `endif`.
    case condition(regex: PCRE2Regex, negated: Bool, location: SourceLocation, skipTo: Int)
}
