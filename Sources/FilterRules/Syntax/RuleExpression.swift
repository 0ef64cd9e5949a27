import ConfigurationFiles

/// One condition of a rule: `STAGE [NAME] [!] PATTERN`, what a whole rule was before
/// rules could combine conditions.
public struct RuleTerm: Hashable, Sendable {
    /// Where the term starts (its stage keyword).
    public var location: SourceLocation
    /// The stage it looks at.
    public var stage: Stage
    /// For `header NAME` terms: the header name, lowercased.
    public var headerName: String?
    /// Whether the term is true when the pattern does not match (`!`).
    public var isNegated: Bool
    /// The pattern.
    public var pattern: RulePattern
    /// Where its regex continued on other physical lines (see ``Rule/regexContinuations``).
    public var regexContinuations: [SourceContinuation]

    /// Creates a term.
    public init(
        location: SourceLocation, stage: Stage, headerName: String? = nil, isNegated: Bool = false,
        pattern: RulePattern, regexContinuations: [SourceContinuation] = []
    ) {
        self.location = location
        self.stage = stage
        self.headerName = headerName
        self.isNegated = isNegated
        self.pattern = pattern
        self.regexContinuations = regexContinuations
    }
}

/// The condition of a rule that combines terms with `and`, `or`, `not` and parentheses
/// (precedence: not, then and, then or).
public indirect enum RuleExpression: Hashable, Sendable {
    /// One term.
    case term(RuleTerm)
    /// True when the operand is false.
    case not(RuleExpression)
    /// True when both are.
    case and(RuleExpression, RuleExpression)
    /// True when either is.
    case or(RuleExpression, RuleExpression)

    /// Every term, left to right.
    public var terms: [RuleTerm] {
        switch self {
        case .term(let term): return [term]
        case .not(let operand): return operand.terms
        case .and(let left, let right), .or(let left, let right): return left.terms + right.terms
        }
    }

    /// Whether the condition cannot become true before a transaction is under way (MAIL
    /// FROM): every way of making it true needs a term of MAIL or later.
    var needsTransaction: Bool {
        switch self {
        case .term(let term): return term.stage.isInTransaction
        case .not(let operand): return operand.needsTransaction
        case .and(let left, let right): return left.needsTransaction || right.needsTransaction
        case .or(let left, let right): return left.needsTransaction && right.needsTransaction
        }
    }

    /// A term through which the condition can become true before MAIL FROM (for the
    /// diagnostic of an `accept transaction` that could fire without a transaction).
    var termBeforeTransaction: RuleTerm? {
        switch self {
        case .term(let term): return term.stage.isInTransaction ? nil : term
        case .not(let operand): return operand.termBeforeTransaction
        case .and(let left, let right):
            guard !left.needsTransaction, !right.needsTransaction else { return nil }
            return left.termBeforeTransaction ?? right.termBeforeTransaction
        case .or(let left, let right): return left.termBeforeTransaction ?? right.termBeforeTransaction
        }
    }
}
