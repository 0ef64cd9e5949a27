/// What a rule's pattern is.
public enum RulePattern: Hashable, Sendable {
    /// A PCRE2 regex with its flags; `location` is where the regex text starts (after the `/`).
    case regex(source: String, flags: RegexFlags, location: SourceLocation)
    /// An address block, for `addr` rules.
    case cidr(CIDRBlock)
}

/// One rule as written in a rules file (not yet compiled).
public struct Rule: Hashable, Sendable {
    /// Where the rule starts (its stage keyword).
    public var location: SourceLocation
    /// The stage it looks at.
    public var stage: Stage
    /// For `header NAME` rules: the header name, lowercased.
    public var headerName: String?
    /// Whether the rule matches when the pattern does not (`!`).
    public var isNegated: Bool
    /// The pattern.
    public var pattern: RulePattern
    /// What happens on a match.
    public var action: RuleAction
    /// The reply sent for refusing actions (explicit or the default), nil for accept.
    public var reply: Reply?
    /// The rule's text as written (continuations joined), for logs and reports.
    public var source: String
    /// Where a regex continued on another physical line: from each character offset of
    /// the regex text on, positions are counted from that location (empty when the regex
    /// sits on one line). Lets PCRE2's error offsets be shown where they were written.
    public var regexContinuations: [SourceContinuation] = []

    /// Creates a rule.
    public init(location: SourceLocation, stage: Stage, headerName: String? = nil, isNegated: Bool = false,
                pattern: RulePattern, action: RuleAction, reply: Reply? = nil, source: String) {
        self.location = location
        self.stage = stage
        self.headerName = headerName
        self.isNegated = isNegated
        self.pattern = pattern
        self.action = action
        self.reply = reply
        self.source = source
    }
}

/// A point inside a regex text where it went on on another physical line.
public struct SourceContinuation: Hashable, Sendable {
    /// The character offset in the regex text where the new line's characters start.
    public var offset: Int
    /// The physical location of that character.
    public var location: SourceLocation

    /// Creates a continuation point.
    public init(offset: Int, location: SourceLocation) {
        self.offset = offset
        self.location = location
    }
}
