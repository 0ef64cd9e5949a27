/// One input through one stage's rules, in file order: the first final rule that matches
/// (accept, reject, tempfail, disconnect) decides; junk, add-header and warn rules that
/// match on the way are collected as marks and the next rules are tried; in report-only
/// mode a refusal is held back (the first one is kept) and the next rules are tried too.
struct StageEvaluation {
    /// The stage.
    let stage: Stage
    /// Its rules.
    let matcher: any StageMatcher
    /// The file's options (fail-closed, mode).
    let options: RuleOptions
    /// Where matches are counted.
    let hits: HitCounters

    /// The outcome of one input.
    struct Outcome {
        /// The decision, with the marks and the withheld refusal.
        var decision: Decision
        /// The rule indexes of the marks, in the same order.
        var markedIndexes: [Int] = []
    }

    /// Evaluates `subject`. Rules in `skipping` (indexes of rules already marked in this
    /// message) still match but add no second mark. `onLimit` hears of every regex that hit
    /// a PCRE2 limit.
    func run(_ subject: MatchSubject, scratch: MatchScratch, skipping: Set<Int> = [],
             onLimit: (Rule, String) -> Void) -> Outcome {
        var outcome = Outcome(decision: .accept)
        var marks: [RuleMark] = []
        var withheld: WithheldRefusal?
        let reportOnly = options.mode == .reportOnly
        var position = 0
        var failedClosed = false
        func input() -> MatchedInput { MatchedInput(stage: stage, bytes: subject.bytes) }
        /// The refusal as the answer, or held back in report-only mode (nil: go on).
        func refuse(_ decision: Decision) -> Decision? {
            if !reportOnly { return decision }
            if withheld == nil { withheld = WithheldRefusal(decision) }
            return nil
        }
        while true {
            let match = matcher.firstMatch(subject, from: position, scratch: scratch)
            for failure in match.limitFailures { onLimit(failure.rule.rule, failure.reason) }
            if options.failClosed, !failedClosed, let failure = match.limitFailures.first {
                failedClosed = true
                let decision = Decision(verdict: .tempfail, reply: DefaultReplies.evaluationFailure, rule: nil,
                                        reason: "\(failure.rule.rule.location.fileAndLine): \(failure.reason), fail-closed",
                                        matchedInput: input())
                if let decided = refuse(decision) { return finish(decided, marks, withheld, &outcome) }
            }
            guard let compiled = match.rule, let at = match.position else { break }
            position = at + 1
            let rule = compiled.rule
            if !compiled.isFinal {
                guard !skipping.contains(compiled.index), !outcome.markedIndexes.contains(compiled.index) else { continue }
                hits.record(compiled.index)
                let kind: RuleMark.Kind
                switch rule.action {
                case .junk: kind = .junk
                case .addHeader(let line): kind = .header(expandHeader(line, compiled, subject, scratch))
                default: kind = .warn
                }
                marks.append(RuleMark(kind: kind, rule: rule, matchedInput: input()))
                outcome.markedIndexes.append(compiled.index)
                continue
            }
            hits.record(compiled.index)
            let verdict: Verdict
            switch rule.action {
            case .accept: return finish(Decision(verdict: .accept, rule: rule, matchedInput: input()), marks, withheld, &outcome)
            case .reject: verdict = .reject
            case .tempfail: verdict = .tempfail
            default: verdict = .disconnect
            }
            let decision = Decision(verdict: verdict, reply: expandReply(compiled, subject, scratch), rule: rule,
                                    matchedInput: input())
            if let decided = refuse(decision) { return finish(decided, marks, withheld, &outcome) }
        }
        return finish(.accept, marks, withheld, &outcome)
    }

    private func finish(_ decision: Decision, _ marks: [RuleMark], _ withheld: WithheldRefusal?,
                        _ outcome: inout Outcome) -> Outcome {
        outcome.decision = decision
        outcome.decision.marks = marks
        outcome.decision.withheld = withheld
        return outcome
    }

    /// The rule's reply with its captures expanded (sanitised, cut to a reply line).
    private func expandReply(_ compiled: CompiledRule, _ subject: MatchSubject, _ scratch: MatchScratch) -> Reply? {
        let rule = compiled.rule
        guard var reply = rule.reply, let template = rule.template else { return rule.reply }
        reply.text = CapturedText.cut(expand(template, compiled, subject, scratch), to: CapturedText.maximumReplyText)
        return reply
    }

    /// The add-header line with its captures expanded (sanitised, cut to a header line).
    private func expandHeader(_ line: String, _ compiled: CompiledRule, _ subject: MatchSubject,
                              _ scratch: MatchScratch) -> String {
        guard let template = compiled.rule.template else { return line }
        return CapturedText.cut(expand(template, compiled, subject, scratch), to: HeaderLineCheck.maximumLength)
    }

    private func expand(_ template: CaptureTemplate, _ compiled: CompiledRule, _ subject: MatchSubject,
                        _ scratch: MatchScratch) -> String {
        let groups = compiled.captures(in: subject, scratch: scratch)
        return template.expand { group in
            guard let groups, group < groups.count, let bytes = groups[group] else { return nil }
            return CapturedText.sanitised(bytes)
        }
    }
}
