/// Which of a stage's rules Vectorscan stands in for: every regex rule that is not negated,
/// not bound to one header (`header NAME` matches the value only) and whose regex
/// Vectorscan can report a superset of matches for (``VectorscanPattern/standingIn(for:flags:id:)``).
/// The others (negated, address blocks, header-bound, refused regexes) are always tried.
struct PrefilterPlan: Sendable {
    /// The patterns of the covered rules, ids their positions, in position order.
    var patterns: [VectorscanPattern]
    /// Positions of the rules always tried, ascending.
    var alwaysTried: [Int]

    /// The plan for a stage's `rules` (in file order).
    init(rules: [CompiledRule]) {
        patterns = []
        alwaysTried = []
        for (position, rule) in rules.enumerated() {
            if !rule.isNegated, rule.headerName == nil, case .regex(let regex) = rule.predicate,
                let pattern = VectorscanPattern.standingIn(for: regex.pattern, flags: regex.flags, id: position)
            {
                patterns.append(pattern)
            } else {
                alwaysTried.append(position)
            }
        }
    }

    /// Moves the pattern at `index` of ``patterns`` to the rules always tried (Vectorscan
    /// refused it in the whole set).
    mutating func giveUp(patternAt index: Int) {
        let position = Int(patterns.remove(at: index).id)
        alwaysTried.insert(position, at: alwaysTried.firstIndex { $0 > position } ?? alwaysTried.endIndex)
    }
}
