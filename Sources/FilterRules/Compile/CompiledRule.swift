import PCRE2Matching

/// A rule ready to match: its pattern compiled (for a combined rule, every term's).
public final class CompiledRule: Sendable {
    /// The rule as written.
    public let rule: Rule
    /// Its position in the rule set (file order), the key of its hit counter.
    public let index: Int
    /// The rule's first (for a plain rule: only) term.
    let term: CompiledTerm
    /// The rule's `!`, kept here so that matching does not reach into the rule's storage
    /// (two reference counts per rule and input).
    let isNegated: Bool
    /// Whether the rule ends its stage's evaluation when it matches (see ``RuleAction/isFinal``).
    let isFinal: Bool
    /// The rule's reply text or header line as a template, when it refers to captures that
    /// can be non-empty (not for negated or address-block rules).
    let captureTemplate: CaptureTemplate?
    /// For a combined rule (or one on a session fact): its terms and its condition over
    /// them (term indexes into ``terms``); nil for a plain rule.
    let combined: (terms: [CompiledTerm], expression: CompiledExpression)?

    init(
        rule: Rule, index: Int, term: CompiledTerm,
        combined: (terms: [CompiledTerm], expression: CompiledExpression)? = nil
    ) {
        self.rule = rule
        self.index = index
        self.term = term
        self.isNegated = term.isNegated
        self.isFinal = rule.action.isFinal
        self.combined = combined
        if let template = rule.template, !template.references.isEmpty,
            combined != nil
                || (!rule.isNegated
                    && {
                        if case .regex = term.predicate { return true }; return false
                    }())
        {
            self.captureTemplate = template
        } else {
            self.captureTemplate = nil
        }
    }

    /// The compiled pattern of the first term.
    var predicate: CompiledTerm.Predicate { term.predicate }
    /// For `header NAME` rules, the lowercased name's bytes.
    var headerName: [UInt8]? { term.headerName }

    /// Whether the rule is a plain one-term rule, matched by its stage's ``StageMatcher``.
    public var isPlain: Bool { combined == nil }

    /// Whether the rule looks at `subject` at all (see ``CompiledTerm/applies(to:)``).
    func applies(to subject: MatchSubject) -> Bool { term.applies(to: subject) }

    /// Whether the pattern matches `subject` (before negation), or why that is unknown.
    func patternResult(_ subject: MatchSubject, scratch: MatchScratch) -> RegexMatchResult {
        term.patternResult(subject, scratch: scratch)
    }

    /// What the rule's regex captured in `subject`, for a plain rule that refers to its
    /// captures; nil when it does not, or when the match cannot be repeated (a limit).
    func captures(in subject: MatchSubject, scratch: MatchScratch) -> [[UInt8]?]? {
        guard captureTemplate != nil else { return nil }
        return term.captures(in: subject, scratch: scratch)
    }
}
