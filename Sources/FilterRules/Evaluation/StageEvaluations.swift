/// A rule set's ``StageEvaluation`` of every stage, made once with the set (every session
/// shares them: they hold no session state) and found by the stage's position instead of by
/// hashing (it is looked up for every message line). A stage without plain rules has one
/// too, without a matcher: combined rules may still fire there.
struct StageEvaluations: Sendable {
    private let all: [StageEvaluation]

    /// The evaluations of the stages with these `matchers` (a stage without one has no plain rules).
    init(matchers: [Stage: any StageMatcher], options: RuleOptions, hits: HitCounters) {
        all = Stage.allCases.map { stage in
            StageEvaluation(stage: stage, matcher: matchers[stage], options: options, hits: hits)
        }
    }

    /// The evaluation of `stage` when it has plain rules, nil when it has none.
    subscript(stage: Stage) -> StageEvaluation? {
        let evaluation = all[stage.ordinal]
        return evaluation.matcher == nil ? nil : evaluation
    }

    /// ``subscript(stage:)`` unretained, for the evaluator's per-line path: valid while the
    /// rule set is (it holds every evaluation for good).
    func unmanaged(_ stage: Stage) -> Unmanaged<StageEvaluation>? {
        all.withUnsafeBufferPointer { all in
            all[stage.ordinal].matcher == nil ? nil : Unmanaged.passUnretained(all[stage.ordinal])
        }
    }

    /// The evaluation of `stage`, with or without plain rules.
    func evaluation(for stage: Stage) -> StageEvaluation { all[stage.ordinal] }
}

extension Stage {
    /// The stage's position in ``allCases``.
    var ordinal: Int {
        switch self {
        case .connect: 0
        case .addr: 1
        case .helo: 2
        case .mail: 3
        case .rcpt: 4
        case .header: 5
        case .body: 6
        case .dataline: 7
        case .attachment: 8
        case .mimetype: 9
        case .auth: 10
        case .authfail: 11
        case .tls: 12
        case .fcrdns: 13
        case .score: 14
        }
    }
}
