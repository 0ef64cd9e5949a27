import PCRE2Matching

/// One input through one stage's rules, in file order: the first final rule that matches
/// (accept, reject, tempfail, disconnect) decides; junk, add-header and warn rules that
/// match on the way are collected as marks and the next rules are tried; in report-only
/// mode a refusal is held back (the first one is kept) and the next rules are tried too.
/// A class: the evaluator looks one up for every message line, and passes it by reference.
final class StageEvaluation: Sendable {
    /// The stage.
    let stage: Stage
    /// Its plain rules; nil when it has none (combined rules may still fire at it).
    let matcher: (any StageMatcher)?
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

    /// Creates the evaluation of `stage` with its plain rules' `matcher`.
    init(stage: Stage, matcher: (any StageMatcher)?, options: RuleOptions, hits: HitCounters) {
        self.stage = stage
        self.matcher = matcher
        self.options = options
        self.hits = hits
    }

    /// A rule that matched: a plain one on `subject`, or a combined one that became true.
    private struct Candidate {
        var rule: CompiledRule
        var input: MatchedInput
        /// The term and subject `$N` come from.
        var captureSource: (term: CompiledTerm, subject: MatchSubject)?
        /// What `$txt` is (a combined rule's listing).
        var listText: String? = nil
        /// Why the rule could not be decided (a DNS list that tempfails on failure).
        var deferral: String? = nil
    }

    /// Evaluates `subject` with the combined rules that became true at this point
    /// (`firings`, in file order) merged in file order with the plain ones. `hooks` (the
    /// session's evaluator) counts the limits a firing awaits, says whether a `greylist` rule
    /// defers the step, and takes the hits; without, hits go to the counters and no rule
    /// waits or greylists. Rules in
    /// `skipping` (indexes of rules already marked in this message) still match but add no
    /// second mark. `onLimit` hears of every regex that hit a PCRE2 limit. Nil when no rule
    /// matched, none hit a limit and no combined rule fired: a plain accept that leaves
    /// nothing to record.
    func run(
        _ subject: MatchSubject, scratch: MatchScratch, skipping: Set<Int> = [],
        firings: [CombinedRuleState.Firing] = [], score: ScoreSheet? = nil, onLimit: (Rule, String) -> Void,
        hooks: (any EvaluationHooks)? = nil
    ) -> Outcome? {
        // The common case, most message lines: no combined rule fired and no plain rule
        // matches nor hit a limit. It is answered before anything below is set up.
        var first: StageMatch?
        if let matcher { first = matcher.firstMatch(subject, from: 0, scratch: scratch) }
        if firings.isEmpty, first.map({ $0.rule == nil && $0.limitFailures.isEmpty }) ?? true {
            return nil
        }
        return run(
            subject, first: first, scratch: scratch, skipping: skipping, firings: firings, score: score, onLimit: onLimit,
            hooks: hooks)
    }

    /// The first plain match of `subject` when there is something to record, nil in the
    /// common case of most message lines: no plain rule matches nor hit a limit. Without
    /// combined rules, what ``run(_:scratch:skipping:firings:onLimit:)`` does first; the
    /// evaluator's per-line path asks this before it sets up the rest (the closure and the
    /// set of marked rules it passes were retained and released for every line).
    func firstPlainMatch(_ subject: MatchSubject, scratch: MatchScratch) -> StageMatch? {
        guard let first = matcher?.firstMatch(subject, from: 0, scratch: scratch),
            first.rule != nil || !first.limitFailures.isEmpty
        else { return nil }
        return first
    }

    /// ``run(_:scratch:skipping:firings:onLimit:)`` once the first plain match (`first`,
    /// nil without plain rules) is known.
    func run(
        _ subject: MatchSubject, first: StageMatch?, scratch: MatchScratch, skipping: Set<Int>,
        firings: [CombinedRuleState.Firing], score: ScoreSheet? = nil, onLimit: (Rule, String) -> Void,
        hooks: (any EvaluationHooks)? = nil
    ) -> Outcome {
        /// Counts a rule's hit: at once, or where the hooks keep it.
        func hit(_ index: Int) {
            if let hooks { hooks.recordHit(index) } else { hits.record(index) }
        }
        var outcome = Outcome(decision: .accept)
        var marks: [RuleMark] = []
        var withheld: WithheldRefusal?
        let reportOnly = options.mode == .reportOnly
        var failedClosed = false
        var pendingFirings = firings[...]
        /// The refusal as the answer, or held back in report-only mode (nil: go on).
        func refuse(_ decision: Decision) -> Decision? {
            if !reportOnly { return decision }
            if withheld == nil { withheld = WithheldRefusal(decision) }
            return nil
        }
        var position = 0
        var firstMatch = first
        /// The next plain rule that matches, or a fail-closed decision.
        func nextPlain() -> (candidate: Candidate?, failClosed: Decision?) {
            guard let matcher, position < matcher.rules.count else { return (nil, nil) }
            let match = firstMatch ?? matcher.firstMatch(subject, from: position, scratch: scratch)
            firstMatch = nil
            for failure in match.limitFailures { onLimit(failure.rule.rule, failure.reason) }
            var closed: Decision?
            if options.failClosed, !failedClosed, let failure = match.limitFailures.first {
                failedClosed = true
                closed = Decision(
                    verdict: .tempfail, reply: DefaultReplies.evaluationFailure, rule: nil,
                    reason: "\(failure.rule.rule.location.fileAndLine): \(failure.reason), fail-closed",
                    matchedInput: MatchedInput(stage: stage, bytes: subject.bytes))
            }
            guard let rule = match.rule, let at = match.position else {
                position = matcher.rules.count
                return (nil, closed)
            }
            position = at + 1
            return (
                Candidate(
                    rule: rule, input: MatchedInput(stage: stage, bytes: subject.bytes),
                    captureSource: (rule.term, subject)), closed
            )
        }
        var plain = nextPlain()
        /// Whether the plain candidate was taken and the next one is to be found (only
        /// when evaluation goes on: a final rule must not make later regexes run).
        var plainTaken = false
        while true {
            if plainTaken {
                plain = nextPlain()
                plainTaken = false
            }
            if let closed = plain.failClosed {
                plain.failClosed = nil
                if let decided = refuse(closed) { return finish(decided, marks, withheld, &outcome) }
            }
            let candidate: Candidate
            if var firing = pendingFirings.first, plain.candidate.map({ firing.rule.index < $0.rule.index }) ?? true {
                pendingFirings.removeFirst()
                // A rule whose outcome hangs on a limit: counted now that its turn has come.
                if firing.awaitsStore {
                    guard let resolved = hooks?.resolve(firing) else { continue }
                    firing = resolved
                }
                candidate = Candidate(
                    rule: firing.rule, input: firing.input, captureSource: firing.captureSource, listText: firing.listText,
                    deferral: firing.deferral)
            } else if let next = plain.candidate {
                candidate = next
                plainTaken = true
            } else {
                break
            }
            let compiled = candidate.rule
            let rule = compiled.rule
            if let deferral = candidate.deferral {
                // The rule cannot be decided: the step is answered tempfail where it stands.
                let decision = Decision(
                    verdict: .tempfail, reply: DefaultReplies.listUnchecked, rule: rule, reason: deferral, matchedInput: candidate.input)
                if let decided = refuse(decision) { return finish(decided, marks, withheld, &outcome) }
                continue
            }
            if !compiled.isFinal {
                guard !skipping.contains(compiled.index), !outcome.markedIndexes.contains(compiled.index) else { continue }
                hit(compiled.index)
                let kind: RuleMark.Kind
                switch rule.action {
                case .junk: kind = .junk
                case .addHeader(let line):
                    kind = .header(expandHeader(line, compiled, candidate.captureSource, candidate.listText, score, scratch))
                case .score(let points): kind = .score(points)
                case .addTo(let list): kind = .addTo(list)
                case .removeFrom(let list): kind = .removeFrom(list)
                default: kind = .warn
                }
                marks.append(RuleMark(kind: kind, rule: rule, matchedInput: candidate.input))
                outcome.markedIndexes.append(compiled.index)
                continue
            }
            // A greylist rule decides only for a triplet greylisting defers; one that passes
            // lets the next rules be tried.
            if case .greylist = rule.action, hooks?.greylists(compiled, at: stage) != true { continue }
            hit(compiled.index)
            let verdict: Verdict
            switch rule.action {
            case .accept: return finish(Decision(verdict: .accept, rule: rule, matchedInput: candidate.input), marks, withheld, &outcome)
            case .reject: verdict = .reject
            case .tempfail, .greylist: verdict = .tempfail
            default: verdict = .disconnect
            }
            let decision = Decision(
                verdict: verdict, reply: expandReply(compiled, candidate.captureSource, candidate.listText, score, scratch), rule: rule,
                matchedInput: candidate.input)
            if let decided = refuse(decision) { return finish(decided, marks, withheld, &outcome) }
        }
        return finish(.accept, marks, withheld, &outcome)
    }

    private func finish(
        _ decision: Decision, _ marks: [RuleMark], _ withheld: WithheldRefusal?,
        _ outcome: inout Outcome
    ) -> Outcome {
        outcome.decision = decision
        outcome.decision.marks = marks
        outcome.decision.withheld = withheld
        return outcome
    }

    /// The rule's reply with its captures expanded (sanitised, cut to a reply line); a
    /// combined rule's default text is that of the stage it decides at.
    private func expandReply(
        _ compiled: CompiledRule, _ source: (term: CompiledTerm, subject: MatchSubject)?, _ listText: String?,
        _ score: ScoreSheet?, _ scratch: MatchScratch
    ) -> Reply? {
        let rule = compiled.rule
        guard var reply = rule.reply else { return nil }
        if !compiled.isPlain, reply.text == DefaultReplies.reply(for: rule.action, at: rule.stage)?.text,
            let atStage = DefaultReplies.reply(for: rule.action, at: stage)
        {
            reply.text = atStage.text
        }
        guard let template = rule.template else { return reply }
        reply.text = CapturedText.cut(expand(template, compiled, source, listText, score, scratch), to: CapturedText.maximumReplyText)
        return reply
    }

    /// The add-header line with its captures expanded (sanitised, cut to a header line).
    private func expandHeader(
        _ line: String, _ compiled: CompiledRule, _ source: (term: CompiledTerm, subject: MatchSubject)?,
        _ listText: String?, _ score: ScoreSheet?, _ scratch: MatchScratch
    ) -> String {
        guard let template = compiled.rule.template else { return line }
        return CapturedText.cut(expand(template, compiled, source, listText, score, scratch), to: HeaderLineCheck.maximumLength)
    }

    private func expand(
        _ template: CaptureTemplate, _ compiled: CompiledRule,
        _ source: (term: CompiledTerm, subject: MatchSubject)?, _ listText: String?, _ score: ScoreSheet?,
        _ scratch: MatchScratch
    ) -> String {
        let groups = compiled.captureTemplate == nil ? nil : source.flatMap { $0.term.captures(in: $0.subject, scratch: scratch) }
        // The list's text is the list's, not the sender's, but sanitised all the same.
        return template.expand(listText: listText.map { CapturedText.sanitised(Array($0.utf8)) }, score: score) { group in
            guard let groups, group < groups.count, let bytes = groups[group] else { return nil }
            return CapturedText.sanitised(bytes)
        }
    }
}

/// What a stage's evaluation asks of the session it evaluates for (its evaluator): the
/// limits a firing awaits, greylisting's verdict, and where rule hits go.
protocol EvaluationHooks: AnyObject {
    /// The firing once the limits it awaits are counted; nil when its rule is not true.
    func resolve(_ firing: CombinedRuleState.Firing) -> CombinedRuleState.Firing?
    /// Whether a `greylist` rule defers the step at `stage` (only at RCPT can it).
    func greylists(_ rule: CompiledRule, at stage: Stage) -> Bool
    /// Counts a rule's hit (at once, or when the step is complete).
    func recordHit(_ index: Int)
}
