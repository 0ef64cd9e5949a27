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
