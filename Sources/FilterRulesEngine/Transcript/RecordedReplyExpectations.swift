extension Transcript {
    /// The transcript with the server replies recorded in it (swaks output) as the
    /// expectations of the steps that have no `#! expect` of their own (see
    /// ``RecordedReply/expectation``).
    public func expectingRecordedReplies() -> Transcript {
        var transcript = self
        if transcript.connectExpectation == nil {
            transcript.connectExpectation = connectRecordedReply?.expectation
        }
        for index in transcript.steps.indices where transcript.steps[index].expectation == nil {
            let step = transcript.steps[index]
            guard step.kind.stepName != nil else { continue }
            transcript.steps[index].expectation = step.recordedReply?.expectation
        }
        return transcript
    }
}

extension Transcript.RecordedReply {
    /// What the reply says the filter answered: 2xx and 3xx accept, 421 disconnect, other
    /// 4xx tempfail, 5xx reject, with the reply's code.
    public var expectation: Transcript.Expectation {
        let outcome: Transcript.ExpectedOutcome
        switch code {
        case 421: outcome = .disconnect
        case 400...499: outcome = .tempfail
        case 500...599: outcome = .reject
        default: outcome = .accept
        }
        return Transcript.Expectation(outcome: outcome, code: code, line: line, source: .recordedReply)
    }
}
