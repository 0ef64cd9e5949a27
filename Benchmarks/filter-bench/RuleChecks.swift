import FilterRules
import SMTPDTestDouble

/// Checks that the benchmark's rules are live, so that a fast figure cannot come from rules
/// that never run: every template matches its example line in process, and the filter
/// under test rejects a message carrying its last rule's example line.
enum RuleChecks {
    /// Every template's example line must be decided by exactly that rule, in process.
    static func templatesMatchTheirExamples() throws {
        let count = SpamRules.templateCount
        let ruleSet = try RuleSetLoader.compile(text: SpamRules.file(count: count), file: "templates")
        for index in 0..<count {
            let evaluator = SessionEvaluator(ruleSet: ruleSet)
            _ = evaluator.data()
            evaluator.dataLine(Array("Subject: probe".utf8))
            evaluator.dataLine([])
            evaluator.dataLine(Array(SpamRules.matchingLine(index).utf8))
            let decision = evaluator.endOfMessage()
            guard !decision.isAccept, decision.rule?.source.contains(SpamRules.token(index)) == true else {
                throw BenchmarkFailure("rule \(index) (\(SpamRules.rule(index))) did not decide \"\(SpamRules.matchingLine(index))\": \(decision)")
            }
        }
    }

    /// Sends a message with the example line of rule `ruleCount - 1` (so every rule is
    /// tried on it) and expects the filter to refuse it at EOM.
    static func filterRefusesLastRule(_ smtpd: SMTPDDouble, session: UInt64, ruleCount: Int) throws {
        try smtpd.event(.txBegin, session: session)
        try expectAccepted(smtpd.ask(.data, session: session), "probe DATA")
        let message = Array("Subject: probe\n\n\(SpamRules.matchingLine(ruleCount - 1))\n".utf8)
        let pushed = try smtpd.pushMessage(message, session: session, timeout: 60)
        guard pushed.response.status != 0, pushed.output == message else {
            throw BenchmarkFailure("the filter did not refuse a message matching rule \(ruleCount - 1): \(pushed.response)")
        }
        try smtpd.event(.txRollback, session: session)
    }
}
