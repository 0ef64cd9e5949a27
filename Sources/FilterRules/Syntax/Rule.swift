/// What a rule's pattern is.
public enum RulePattern: Hashable, Sendable {
    /// A PCRE2 regex with its flags; `location` is where the regex text starts (after the `/`).
    case regex(source: String, flags: RegexFlags, location: SourceLocation)
    /// An address block, for `addr` rules.
    case cidr(CIDRBlock)
}

/// One rule as written in a rules file (not yet compiled).
///
/// A value type whose fields live in one shared, copy-on-write box: rules travel in every
/// decision of every message line, and a copy then costs one reference count, not a copy
/// of each string.
public struct Rule: Hashable, Sendable {
    /// Where the rule starts (its stage keyword).
    public var location: SourceLocation {
        get { storage.location }
        set { unique().location = newValue }
    }
    /// The stage it looks at.
    public var stage: Stage {
        get { storage.stage }
        set { unique().stage = newValue }
    }
    /// For `header NAME` rules: the header name, lowercased.
    public var headerName: String? {
        get { storage.headerName }
        set { unique().headerName = newValue }
    }
    /// Whether the rule matches when the pattern does not (`!`).
    public var isNegated: Bool {
        get { storage.isNegated }
        set { unique().isNegated = newValue }
    }
    /// The pattern.
    public var pattern: RulePattern {
        get { storage.pattern }
        set { unique().pattern = newValue }
    }
    /// What happens on a match.
    public var action: RuleAction {
        get { storage.action }
        set { unique().action = newValue }
    }
    /// The reply sent for refusing actions (explicit or the default), nil for accept.
    public var reply: Reply? {
        get { storage.reply }
        set { unique().reply = newValue }
    }
    /// The rule's text as written (continuations joined), for logs and reports.
    public var source: String {
        get { storage.source }
        set { unique().source = newValue }
    }
    /// Where a regex continued on another physical line: from each character offset of
    /// the regex text on, positions are counted from that location (empty when the regex
    /// sits on one line). Lets PCRE2's error offsets be shown where they were written.
    public var regexContinuations: [SourceContinuation] {
        get { storage.regexContinuations }
        set { unique().regexContinuations = newValue }
    }

    private var storage: Storage

    /// Creates a rule.
    public init(location: SourceLocation, stage: Stage, headerName: String? = nil, isNegated: Bool = false,
                pattern: RulePattern, action: RuleAction, reply: Reply? = nil, source: String) {
        storage = Storage(location: location, stage: stage, headerName: headerName, isNegated: isNegated,
                          pattern: pattern, action: action, reply: reply, source: source, regexContinuations: [])
    }

    /// Rules are equal when all their fields are.
    public static func == (lhs: Rule, rhs: Rule) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    /// Hashes all fields.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.fields)
    }

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    /// The fields; immutable once shared (copies are made before a write).
    private final class Storage: @unchecked Sendable {
        var location: SourceLocation
        var stage: Stage
        var headerName: String?
        var isNegated: Bool
        var pattern: RulePattern
        var action: RuleAction
        var reply: Reply?
        var source: String
        var regexContinuations: [SourceContinuation]

        init(location: SourceLocation, stage: Stage, headerName: String?, isNegated: Bool, pattern: RulePattern,
             action: RuleAction, reply: Reply?, source: String, regexContinuations: [SourceContinuation]) {
            self.location = location
            self.stage = stage
            self.headerName = headerName
            self.isNegated = isNegated
            self.pattern = pattern
            self.action = action
            self.reply = reply
            self.source = source
            self.regexContinuations = regexContinuations
        }

        func copy() -> Storage {
            Storage(location: location, stage: stage, headerName: headerName, isNegated: isNegated, pattern: pattern,
                    action: action, reply: reply, source: source, regexContinuations: regexContinuations)
        }

        /// Every field, for equality and hashing.
        var fields: Fields {
            Fields(location: location, stage: stage, headerName: headerName, isNegated: isNegated, pattern: pattern,
                   action: action, reply: reply, source: source, regexContinuations: regexContinuations)
        }
    }

    private struct Fields: Hashable {
        var location: SourceLocation
        var stage: Stage
        var headerName: String?
        var isNegated: Bool
        var pattern: RulePattern
        var action: RuleAction
        var reply: Reply?
        var source: String
        var regexContinuations: [SourceContinuation]
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
