/// Which of a stage's rules which Vectorscan stage stands in for. Only rules whose regex
/// decides on the whole subject are covered: not negated, not bound to one header (`header
/// NAME` matches the value only), a regex predicate. Of those:
/// - a rule with ``RequiredLiterals`` goes to the literal stage (one database of literals,
///   compiled in a fraction of a second however many rules there are);
/// - a rule without goes to the regex databases when Vectorscan can report a superset of
///   its matches (``VectorscanPattern/standingIn(for:flags:id:)``);
/// - the others are always tried with PCRE2.
struct PrefilterPlan: Sendable {
    /// The literals of the rules the literal stage covers; ids are positions.
    var literals: [VectorscanLiteral]
    /// How many rules the literal stage covers.
    var literalRuleCount: Int
    /// The patterns of the rules the regex databases cover; ids are positions, ascending.
    var regexes: [VectorscanPattern]
    /// Positions of the rules always tried, ascending.
    var alwaysTried: [Int]
    /// For rules without literals (always tried, or until their regex part is built): a
    /// set of bytes one of which every match contains (``RequiredLiterals/requiredBytes(of:flags:)``),
    /// by position. A subject without any of them is not tried against the rule.
    var requiredBytes: [Int: ByteSet]

    /// The plan for a stage's `rules` (in file order); without a literal stage when
    /// `literalStage` is false (Vectorscan refused the literals).
    init(rules: [CompiledRule], literalStage: Bool = true) {
        literals = []
        literalRuleCount = 0
        regexes = []
        alwaysTried = []
        requiredBytes = [:]
        // On every core: the literal analysis is most of the first step (0.3 s of 0.5 s for
        // 10,000 rules on one core).
        let kinds = Array(rules.indices).parallelMap { position in Self.kind(of: rules[position], at: position, literalStage: literalStage) }
        for (position, kind) in kinds.enumerated() {
            switch kind {
            case .literal(let required):
                literals += required.alternatives.map {
                    VectorscanLiteral(bytes: $0, isCaseless: required.isCaseless, id: UInt32(position))
                }
                literalRuleCount += 1
            case .regex(let pattern, let bytes):
                regexes.append(pattern)
                if let bytes { requiredBytes[position] = bytes }
            case .alwaysTried(let bytes):
                alwaysTried.append(position)
                if let bytes { requiredBytes[position] = bytes }
            }
        }
    }

    /// Where one rule goes.
    private enum Kind: Sendable {
        case literal(RequiredLiterals)
        case regex(VectorscanPattern, ByteSet?)
        case alwaysTried(ByteSet?)
    }

    private static func kind(of rule: CompiledRule, at position: Int, literalStage: Bool) -> Kind {
        guard !rule.isNegated, rule.headerName == nil, case .regex(let regex) = rule.predicate else { return .alwaysTried(nil) }
        if literalStage, let required = RequiredLiterals.of(regex.pattern, flags: regex.flags) { return .literal(required) }
        let bytes = RequiredLiterals.requiredBytes(of: regex.pattern, flags: regex.flags)
        if let pattern = VectorscanPattern.standingIn(for: regex.pattern, flags: regex.flags, id: position) {
            return .regex(pattern, bytes)
        }
        return .alwaysTried(bytes)
    }
}
