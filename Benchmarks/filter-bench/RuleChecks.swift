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
            let decision = decide(ruleSet, line: SpamRules.matchingLine(index))
            guard !decision.isAccept, decision.rule?.source.contains(SpamRules.token(index)) == true else {
                throw BenchmarkFailure("rule \(index) (\(SpamRules.rule(index))) did not decide \"\(SpamRules.matchingLine(index))\": \(decision)")
            }
        }
    }

    /// Every ``MixedRules`` template's example line, and a literal-less rule's, must be
    /// decided by exactly that rule, in process, in a file with a rule of every shape.
    static func mixedTemplatesMatchTheirExamples() throws {
        let count = MixedRules.literalLessEvery + 1
        let ruleSet = try RuleSetLoader.compile(text: MixedRules.file(MixedRules.rules(count: count)), file: "mixed templates")
        var checked = Set<Int>()
        for index in 0..<count {
            let shape = MixedRules.isLiteralLess(index) ? -1 : index % MixedRules.templateCount
            guard checked.insert(shape).inserted else { continue }
            let decision = decide(ruleSet, line: MixedRules.matchingLine(index))
            guard !decision.isAccept, decision.rule?.source == MixedRules.rule(index) else {
                throw BenchmarkFailure("rule \(index) (\(MixedRules.rule(index))) did not decide \"\(MixedRules.matchingLine(index))\": \(decision)")
            }
        }
        guard checked.count == MixedRules.templateCount + 1 else { throw BenchmarkFailure("not every mixed template was checked") }
    }

    /// The end-of-message decision of `ruleSet` on a message of a header, a blank line and `line`.
    private static func decide(_ ruleSet: CompiledRuleSet, line: String) -> Decision {
        let evaluator = SessionEvaluator(ruleSet: ruleSet)
        _ = evaluator.data()
        evaluator.dataLine(Array("Subject: probe".utf8))
        evaluator.dataLine([])
        evaluator.dataLine(Array(line.utf8))
        return evaluator.endOfMessage()
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
