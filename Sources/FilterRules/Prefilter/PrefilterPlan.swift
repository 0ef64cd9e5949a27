import PCRE2Matching
import Synchronization

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
    /// `literalStage` is false (Vectorscan refused the literals). The analysis of each regex
    /// is taken from `memory` when an earlier plan of the stage made it (a reload), and the
    /// plan's are kept there for the next.
    init(rules: [CompiledRule], literalStage: Bool = true, memory: RegexAnalyses? = nil) {
        literals = []
        literalRuleCount = 0
        regexes = []
        alwaysTried = []
        requiredBytes = [:]
        let stage = rules.first?.rule.stage ?? .connect
        let known = memory?.analyses(of: stage) ?? [:]
        // On every core: the literal analysis is most of the first step (0.3 s of 0.5 s for
        // 10,000 rules on one core).
        let analysed = Array(rules.indices).parallelMap { position -> (RegexAnalyses.Key?, Kind) in
            let rule = rules[position]
            guard !rule.isNegated, rule.headerName == nil, case .regex(let regex) = rule.predicate else { return (nil, .alwaysTried(nil)) }
            let key = RegexAnalyses.Key(source: regex.pattern, flags: regex.flags, literalStage: literalStage)
            return (key, known[key] ?? Self.analyse(regex.pattern, flags: regex.flags, literalStage: literalStage))
        }
        let sharing = Self.sharing(analysed.map(\.1))
        for (position, (_, kind)) in analysed.enumerated() {
            switch kind {
            case .literal(let candidates):
                let required = Self.leastShared(candidates, sharing)
                literals += required.alternatives.map {
                    VectorscanLiteral(bytes: $0, isCaseless: required.isCaseless, id: UInt32(position))
                }
                literalRuleCount += 1
            case .regex(var pattern, let bytes):
                pattern.id = UInt32(position)
                regexes.append(pattern)
                if let bytes { requiredBytes[position] = bytes }
            case .alwaysTried(let bytes):
                alwaysTried.append(position)
                if let bytes { requiredBytes[position] = bytes }
            }
        }
        memory?.keep(analysed.compactMap { key, kind in key.map { ($0, kind) } }, for: stage)
    }

    /// Where one rule goes.
    enum Kind: Sendable {
        /// The literal stage, with one of these sets of literals (the most useful first).
        case literal([RequiredLiterals])
        /// The regex databases, with this pattern (its id set to the rule's position), and
        /// the bytes a match needs for the time it is always tried.
        case regex(VectorscanPattern, ByteSet?)
        /// Always tried, only on subjects with one of these bytes when there are some.
        case alwaysTried(ByteSet?)
    }

    /// Where a rule with regex `source` compiled with `flags` goes (a regex pattern's id is 0).
    private static func analyse(_ source: String, flags: RegexFlags, literalStage: Bool) -> Kind {
        let literals = RegexLiterals(source, flags: flags)
        if literalStage, let candidates = literals?.candidates, !candidates.isEmpty { return .literal(candidates) }
        let bytes = literals?.requiredBytes
        if let pattern = VectorscanPattern.standingIn(for: source, flags: flags, id: 0) { return .regex(pattern, bytes) }
        return .alwaysTried(bytes)
    }
}

extension PrefilterPlan {
    /// A literal as the plan counts it.
    private struct SharedLiteral: Hashable {
        var bytes: [UInt8]
        var isCaseless: Bool
    }

    /// How many rules have each literal among their candidates.
    private static func sharing(_ kinds: [Kind]) -> [SharedLiteral: Int] {
        var counts: [SharedLiteral: Int] = [:]
        for case .literal(let candidates) in kinds {
            var seen = Set<SharedLiteral>()
            for set in candidates {
                for bytes in set.alternatives { seen.insert(SharedLiteral(bytes: bytes, isCaseless: set.isCaseless)) }
            }
            for literal in seen { counts[literal, default: 0] += 1 }
        }
        return counts
    }

    /// The candidate whose most shared literal fewest rules have, the more useful on a tie:
    /// 1,000 rules `^(?:userN|roleN-[a-z]+)@example\.(?:org|net)$` all require `@example.`,
    /// which would name every rule for every address there; `userN` or `roleN-` names one.
    private static func leastShared(_ candidates: [RequiredLiterals], _ sharing: [SharedLiteral: Int]) -> RequiredLiterals {
        var chosen = candidates[0]
        var fewest = Int.max
        for set in candidates {
            let most = set.alternatives.map { sharing[SharedLiteral(bytes: $0, isCaseless: set.isCaseless)] ?? 0 }.max() ?? 0
            if most < fewest {
                fewest = most
                chosen = set
            }
        }
        return chosen
    }
}

/// The analyses of the regexes of the last plan of each stage, for the next plan (a
/// reload) to take instead of analysing again: 0.15–0.3 s for 10,000 rules.
final class RegexAnalyses: Sendable {
    /// What an analysis depends on.
    struct Key: Hashable, Sendable {
        var source: String
        var flags: RegexFlags
        var literalStage: Bool
    }

    private let byStage = Mutex<[Stage: [Key: PrefilterPlan.Kind]]>([:])

    /// The analyses the last plan of `stage` made.
    func analyses(of stage: Stage) -> [Key: PrefilterPlan.Kind] { byStage.withLock { $0[stage] ?? [:] } }

    /// Keeps `analyses` as those of `stage`'s last plan.
    func keep(_ analyses: [(Key, PrefilterPlan.Kind)], for stage: Stage) {
        let table = Dictionary(analyses, uniquingKeysWith: { first, _ in first })
        byStage.withLock { $0[stage] = table }
    }
}
