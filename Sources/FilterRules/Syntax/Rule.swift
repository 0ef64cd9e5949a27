import ConfigurationFiles
import PCRE2Matching

/// What a rule's pattern is.
public enum RulePattern: Hashable, Sendable {
    /// A PCRE2 regex with its flags; `location` is where the regex text starts (after the `/`).
    case regex(source: String, flags: RegexFlags, location: SourceLocation)
    /// An address block, for `addr` rules.
    case cidr(CIDRBlock)
    /// A list file (`file "PATH"`): `path` as written, `location` where the word `file` is.
    case list(path: String, location: SourceLocation)
    /// A DNS list (`listed NAME`): the declared list's name, `location` where the name is.
    case dnsList(name: String, location: SourceLocation)
    /// A score comparison (`score >= N`).
    case score(ScoreComparison)
    /// A rate limit (`over NAME`): the declared limit's name, `location` where the name is.
    case limit(name: String, location: SourceLocation)
    /// A dynamic list (`in NAME`): the declared list's name, `location` where the name is.
    case dynlist(name: String, location: SourceLocation)

    /// Whether it is a DNS list.
    public var isDNSList: Bool {
        if case .dnsList = self { return true }
        return false
    }

    /// Whether it looks at the session's keys in a store (`over NAME`, `in NAME`), not at
    /// its stage's input.
    public var looksAtSessionKeys: Bool {
        switch self {
        case .limit, .dynlist: return true
        case .regex, .cidr, .list, .dnsList, .score: return false
        }
    }

    /// Whether only a combined rule can decide it: a DNS list, a score, a limit or a
    /// dynamic list (the plain matchers read regexes, address blocks and list files).
    public var needsCombinedRule: Bool {
        switch self {
        case .dnsList, .score, .limit, .dynlist: return true
        case .regex, .cidr, .list: return false
        }
    }
}

/// One rule as written in a rules file (not yet compiled).
///
/// A value type whose fields live in one shared, copy-on-write box: rules travel in every
/// decision of every message line, and a copy then costs one reference count, not a copy
/// of each string.
public struct Rule: Hashable, Sendable {
    /// Where the rule starts (its stage keyword).
    public var location: SourceLocation {
        get { storage.fields.location }
        set { unique().fields.location = newValue }
    }
    /// The stage it looks at.
    public var stage: Stage {
        get { storage.fields.stage }
        set { unique().fields.stage = newValue }
    }
    /// For `header NAME` rules: the header name, lowercased.
    public var headerName: String? {
        get { storage.fields.headerName }
        set { unique().fields.headerName = newValue }
    }
    /// Whether the rule matches when the pattern does not (`!`).
    public var isNegated: Bool {
        get { storage.fields.isNegated }
        set { unique().fields.isNegated = newValue }
    }
    /// The pattern.
    public var pattern: RulePattern {
        get { storage.fields.pattern }
        set { unique().fields.pattern = newValue }
    }
    /// What happens on a match.
    public var action: RuleAction {
        get { storage.fields.action }
        set { unique().fields.action = newValue }
    }
    /// The reply sent for refusing actions (explicit or the default), nil for accept.
    public var reply: Reply? {
        get { storage.fields.reply }
        set { unique().fields.reply = newValue }
    }
    /// The reply text (reject, tempfail, disconnect) or header line (add-header) as a
    /// template when it holds a `$`; nil when it is plain text, used as it is.
    public var template: CaptureTemplate? {
        get { storage.fields.template }
        set { unique().fields.template = newValue }
    }
    /// The condition, when the rule combines terms (`and`, `or`, `not`, parentheses) or
    /// looks at a session fact (auth, tls, fcrdns); nil for a rule of one plain term, which
    /// the fields above describe. For a combined rule they describe its first term.
    public var expression: RuleExpression? {
        get { storage.fields.expression }
        set { unique().fields.expression = newValue }
    }
    /// Every term of the rule, left to right.
    public var terms: [RuleTerm] {
        expression?.terms ?? [
            RuleTerm(
                location: location, stage: stage, headerName: headerName, isNegated: isNegated,
                pattern: pattern, regexContinuations: regexContinuations)
        ]
    }
    /// The rule's text as written (continuations joined), for logs and reports.
    public var source: String {
        get { storage.fields.source }
        set { unique().fields.source = newValue }
    }
    /// Where a regex continued on another physical line: from each character offset of
    /// the regex text on, positions are counted from that location (empty when the regex
    /// sits on one line). Lets PCRE2's error offsets be shown where they were written.
    public var regexContinuations: [SourceContinuation] {
        get { storage.fields.regexContinuations }
        set { unique().fields.regexContinuations = newValue }
    }

    private var storage: Storage

    /// Creates a rule.
    public init(
        location: SourceLocation, stage: Stage, headerName: String? = nil, isNegated: Bool = false,
        pattern: RulePattern, action: RuleAction, reply: Reply? = nil, source: String
    ) {
        storage = Storage(
            Fields(
                location: location, stage: stage, headerName: headerName, isNegated: isNegated,
                pattern: pattern, action: action, reply: reply, template: nil, expression: nil, source: source,
                regexContinuations: []))
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
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
        return storage
    }

    /// The box; its fields are only written through ``unique()``, after copying a shared box.
    private final class Storage: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    /// Every field of a rule.
    private struct Fields: Hashable {
        var location: SourceLocation
        var stage: Stage
        var headerName: String?
        var isNegated: Bool
        var pattern: RulePattern
        var action: RuleAction
        var reply: Reply?
        var template: CaptureTemplate?
        var expression: RuleExpression?
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
