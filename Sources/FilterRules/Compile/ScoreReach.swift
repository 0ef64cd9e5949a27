/// The warning for a `score` term no transaction can reach: its threshold lies beyond what
/// all `score` rules together can add (or take away).
enum ScoreReach {
    /// A warning for each score term out of reach, at the term.
    static func warnings(for rules: [Rule]) -> [RuleWarning] {
        var highest = Score.zero, lowest = Score.zero
        var unbounded = false
        for rule in rules {
            guard case .score(let points) = rule.action else { continue }
            if points > .zero { highest = highest + points } else { lowest = lowest + points }
            // A recipient rule scores for each recipient: no bound.
            if rule.terms.contains(where: { $0.stage == .rcpt }) { unbounded = true }
        }
        guard !unbounded else { return [] }
        var warnings: [RuleWarning] = []
        for rule in rules {
            for term in rule.terms {
                guard case .score(let comparison) = term.pattern else { continue }
                let reachable: Bool
                switch comparison.op {
                case .atLeast: reachable = highest >= comparison.threshold
                case .above: reachable = highest > comparison.threshold
                case .below: reachable = lowest < comparison.threshold
                case .atMost: reachable = lowest <= comparison.threshold
                }
                guard !reachable else { continue }
                warnings.append(
                    RuleWarning(
                        term.location,
                        "score \(comparison) is never true: the score rules add up to \(lowest) at least and \(highest) at most"))
            }
        }
        return warnings
    }
}
