/// One session's ``StageEvaluation`` of each stage that has plain rules, found by the
/// stage's position instead of by hashing (it is looked up for every message line).
struct StageEvaluations {
    private var byOrdinal: [StageEvaluation?] = Array(repeating: nil, count: Stage.allCases.count)

    /// The evaluation of `stage`, nil when the stage has no plain rules.
    subscript(stage: Stage) -> StageEvaluation? {
        get { byOrdinal[stage.ordinal] }
        set { byOrdinal[stage.ordinal] = newValue }
    }
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
        case .tls: 11
        case .fcrdns: 12
        }
    }
}
