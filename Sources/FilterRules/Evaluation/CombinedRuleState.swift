import DNSLists
import PCRE2Matching

/// The values of one session's combined rules' terms, and which rules become true at each
/// point of the session (three-valued, as in milter-regex).
///
/// A term of a stage not reached yet is unknown. At each point (connect, HELO, MAIL, RCPT, a
/// message line, the end of the message) the terms of that point's stages get their values
/// (session facts reported since the last point too), and a rule *becomes true* there when
/// its condition is true now but was not true with those terms still unknown. Repeated
/// stages: at RCPT a `rcpt` term looks at the current recipient, at later points it is true
/// when an accepted recipient of the transaction matched; message terms are true once a line
/// of the message made them true and, at the end of the message, false otherwise. A
/// transaction's terms (mail, rcpt, message) reset at the next transaction; the session's
/// (connect, addr, helo, auth, tls, fcrdns) persist.
final class CombinedRuleState {
    /// A combined rule that became true at a point.
    struct Firing {
        /// The rule.
        var rule: CompiledRule
        /// The input of the point (what the log and the dry-run show).
        var input: MatchedInput
        /// The regex term that matched last, and what it matched, for `$N` in the rule's text.
        var captureSource: (term: CompiledTerm, subject: MatchSubject)?
        /// The TXT record of the listing a `listed` term of the rule found, for `$txt`.
        var listText: String? = nil
        /// Set when the rule did not become true but cannot be decided either, because a
        /// list that tempfails on failure could not be checked: why (the step is answered
        /// tempfail where the rule stands).
        var deferral: String? = nil
        /// Set when the rule's outcome depends on `over` terms not counted yet: the stage's
        /// evaluation asks ``CombinedRuleState/resolve(_:)`` when the rule's turn comes in
        /// file order (so that a limit counts only where its rule is really tried).
        var awaitsStore = false
        /// The rule's index among the combined rules.
        var combinedIndex = 0
    }

    /// Answers the store's terms: whether an `over` term's event puts its key over the rate
    /// (counting it), whether an `in` term's key is on its list; nil when unknown.
    weak var storeOracle: (any StoreTermOracle)?

    private let rules: [CompiledRule]
    /// Where each rule's terms start in the flat arrays below (one slot per term).
    private let base: [Int]
    /// Per term slot: true, false or unknown (nil).
    private var values: [Bool?]
    /// Per term slot: what the term last matched, and when (for captures).
    private var lastMatch: [(subject: MatchSubject, sequence: Int)?]
    /// Per term slot of a `listed` term that is true: the listing's TXT record, if any.
    private var listTexts: [String?]
    /// Per term slot of a `listed` term on a list that tempfails on failure, whose lookup
    /// failed: why. The term counts as unknown for the rule's deferral (see ``Firing``).
    private var deferrals: [String?]
    /// Per rcpt term slot: whether an accepted recipient of the transaction made it true.
    private var acceptedRecipients: [Bool]
    /// The values of the terms of the recipient being decided, until it is accepted.
    private var currentRecipient: [(rule: Int, term: Int, value: Bool)] = []
    /// Rules that became true in this transaction at MAIL or at the message.
    private var firedInTransaction: Set<Int> = []
    /// Session facts reported since the last point: their terms get these values, new, at
    /// the next point.
    private var pendingFacts: [Stage: MatchSubject] = [:]
    /// Where each stage's terms are: (rule, term) pairs.
    private let termsByStage: [Stage: [(rule: Int, term: Int)]]
    /// The rules with a term of each stage, in file order.
    private let rulesByStage: [Stage: [Int]]
    /// Rules with a score term that tag rather than decide (junk, add-header, warn, score):
    /// tried at the end of the message only, with the final score.
    private let atMessageEndOnly: Set<Int>
    private var sequence = 0
    /// The last point's values before it, the stages it gave values to, whether it was
    /// transactional, and the `over` terms it tried: what ``resolve(_:)`` needs.
    private var pointBefore: [Bool?] = []
    private var pointFresh: Set<Stage> = []
    private var pointTransactional = false
    private var triedLimits: Set<Int> = []

    /// The state of a new session under `rules` (the rule set's combined rules).
    init(rules: [CompiledRule]) {
        self.rules = rules
        var base: [Int] = []
        var slots = 0
        for rule in rules {
            base.append(slots)
            slots += rule.combined?.terms.count ?? 0
        }
        self.base = base
        values = Array(repeating: nil, count: slots)
        lastMatch = Array(repeating: nil, count: slots)
        listTexts = Array(repeating: nil, count: slots)
        deferrals = Array(repeating: nil, count: slots)
        acceptedRecipients = Array(repeating: false, count: slots)
        var byStage: [Stage: [(rule: Int, term: Int)]] = [:]
        var rulesByStage: [Stage: [Int]] = [:]
        for (r, rule) in rules.enumerated() {
            for (t, term) in (rule.combined?.terms ?? []).enumerated() {
                byStage[term.stage, default: []].append((r, t))
                if rulesByStage[term.stage]?.last != r { rulesByStage[term.stage, default: []].append(r) }
            }
        }
        termsByStage = byStage
        self.rulesByStage = rulesByStage
        atMessageEndOnly = Set(
            rules.indices.filter { r in
                !rules[r].isFinal && (rules[r].combined?.terms ?? []).contains { $0.stage == .score }
            })
    }

    /// The state of the terms, kept to evaluate a step again (see
    /// ``SessionEvaluator/checkpoint()``).
    struct Snapshot {
        fileprivate var values: [Bool?]
        fileprivate var lastMatch: [(subject: MatchSubject, sequence: Int)?]
        fileprivate var listTexts: [String?]
        fileprivate var deferrals: [String?]
        fileprivate var acceptedRecipients: [Bool]
        fileprivate var currentRecipient: [(rule: Int, term: Int, value: Bool)]
        fileprivate var firedInTransaction: Set<Int>
        fileprivate var pendingFacts: [Stage: MatchSubject]
        fileprivate var sequence: Int
    }

    /// The terms' state now.
    var snapshot: Snapshot {
        Snapshot(
            values: values, lastMatch: lastMatch, listTexts: listTexts, deferrals: deferrals,
            acceptedRecipients: acceptedRecipients, currentRecipient: currentRecipient,
            firedInTransaction: firedInTransaction, pendingFacts: pendingFacts, sequence: sequence)
    }

    /// Puts the terms' state back as `snapshot` holds it.
    func restore(_ snapshot: Snapshot) {
        values = snapshot.values
        lastMatch = snapshot.lastMatch
        listTexts = snapshot.listTexts
        deferrals = snapshot.deferrals
        acceptedRecipients = snapshot.acceptedRecipients
        currentRecipient = snapshot.currentRecipient
        firedInTransaction = snapshot.firedInTransaction
        pendingFacts = snapshot.pendingFacts
        sequence = snapshot.sequence
    }

    /// Whether there are combined rules at all.
    var isEmpty: Bool { rules.isEmpty }

    /// Whether session facts wait for the next point.
    var hasPendingFacts: Bool { !pendingFacts.isEmpty }

    /// Whether some combined rule has a term of `stage`.
    func hasTerms(of stage: Stage) -> Bool { termsByStage[stage] != nil }

    // MARK: Facts

    /// A session fact arrived (auth, tls): its terms get their value, new at the next point.
    func fact(_ stage: Stage, _ value: String) {
        guard termsByStage[stage] != nil else { return }
        pendingFacts[stage] = MatchSubject(text: value)
    }

    // MARK: Points

    /// The rules that become true at a point where the terms of `inputs` get their values
    /// (and the facts reported since the last point), in file order. `transactional` points
    /// (MAIL, the message) let a rule fire once per transaction; at RCPT (`recipient`) rcpt
    /// terms look at the current recipient.
    func point(
        _ inputs: [(stage: Stage, subject: MatchSubject)], shown input: MatchedInput, transactional: Bool,
        scratch: MatchScratch, onLimit: (Rule, String) -> Void
    ) -> [Firing] {
        guard !rules.isEmpty else { return [] }
        // An envelope input replaces the last one of its stage (the next recipient, a second
        // HELO): before it, its terms are unknown. Message terms keep what earlier lines made them.
        for (stage, _) in inputs where !stage.isMessageStage {
            for (r, t) in termsByStage[stage] ?? [] { values[base[r] + t] = nil }
        }
        let before = values
        var fresh = Set(pendingFacts.keys)
        for (stage, subject) in pendingFacts { set(stage, subject, scratch: scratch, onLimit: onLimit) }
        pendingFacts = [:]
        for (stage, subject) in inputs {
            fresh.insert(stage)
            if stage == .rcpt { currentRecipient = [] }
            set(stage, subject, scratch: scratch, onLimit: onLimit, sticky: stage.isMessageStage)
        }
        return firings(fresh: fresh, before: before, input: input, transactional: transactional)
    }

    /// The end of the message: `listed` terms of the message get `listing`'s result for
    /// them and message terms not made true by a line become false. Rules that tag on the
    /// score wait for ``finalScore(_:shown:scratch:)``, which comes after the points of
    /// the rules that fire here are added.
    func endOfMessage(
        shown input: MatchedInput, scratch: MatchScratch, listing: (CompiledTerm) -> DNSListResult
    ) -> [Firing] {
        guard !rules.isEmpty else { return [] }
        let before = values
        var fresh: Set<Stage> = []
        for stage in [Stage.header, .body] {
            for (r, t) in termsByStage[stage] ?? [] {
                let term = rules[r].combined!.terms[t]
                guard case .dnsList(let list) = term.predicate else { continue }
                var subject = MatchSubject(bytes: [])
                subject.listings = [list.name: listing(term)]
                setListed(r, t, term, list, subject)
                fresh.insert(stage)
            }
        }
        for stage in Stage.allCases where stage.isMessageStage {
            for (r, t) in termsByStage[stage] ?? [] where values[base[r] + t] == nil {
                fresh.insert(stage)
                // A `body over` term counts the message now, if its rule depends on it.
                if rules[r].combined!.terms[t].predicate.isLimit { continue }
                values[base[r] + t] = false
            }
        }
        return firings(fresh: fresh, before: before, input: input, transactional: true, limitsOpen: true)
    }

    /// The message's final score, after ``endOfMessage(shown:scratch:listing:)``: score
    /// terms see it (every score term's rule may fire again), and the rules that tag on
    /// the score are tried.
    func finalScore(_ score: Score, shown input: MatchedInput, scratch: MatchScratch) -> [Firing] {
        guard let terms = termsByStage[.score] else { return [] }
        for (r, t) in terms { values[base[r] + t] = nil }
        let before = values
        var subject = MatchSubject(bytes: [])
        subject.score = score
        set(.score, subject, scratch: scratch, onLimit: { _, _ in })
        return firings(fresh: [.score], before: before, input: input, transactional: true, atMessageEnd: true)
    }

    /// The recipient decided last was accepted: its rcpt terms count for the transaction.
    func recipientAccepted() {
        for (r, t, value) in currentRecipient where value { acceptedRecipients[base[r] + t] = true }
        currentRecipient = []
    }

    /// DATA: from now on a rcpt term is true when an accepted recipient matched.
    func beginMessage() {
        currentRecipient = []
        for (r, t) in termsByStage[.rcpt] ?? [] { values[base[r] + t] = acceptedRecipients[base[r] + t] }
    }

    /// A transaction ended (or a new one begins): its terms are unknown again.
    func transactionEnded() {
        for stage in [Stage.mail, .rcpt] + Stage.allCases.filter(\.isMessageStage) {
            for (r, t) in termsByStage[stage] ?? [] {
                values[base[r] + t] = nil
                lastMatch[base[r] + t] = nil
                listTexts[base[r] + t] = nil
                deferrals[base[r] + t] = nil
                acceptedRecipients[base[r] + t] = false
            }
        }
        currentRecipient = []
        firedInTransaction = []
    }

    /// MAIL FROM: session facts that were not reported are final, empty.
    func finalizeFacts() {
        for stage in [Stage.auth, .tls] where pendingFacts[stage] == nil {
            guard let terms = termsByStage[stage], terms.contains(where: { values[base[$0.rule] + $0.term] == nil }) else { continue }
            pendingFacts[stage] = MatchSubject(text: "")
        }
    }

    // MARK: Internals

    private func set(
        _ stage: Stage, _ subject: MatchSubject, scratch: MatchScratch, onLimit: (Rule, String) -> Void,
        sticky: Bool = false
    ) {
        for (r, t) in termsByStage[stage] ?? [] {
            let term = rules[r].combined!.terms[t]
            if sticky {
                // A message term stays true once a line made it true; until the end of
                // the message it is unknown otherwise. A `listed` term of the message gets
                // its value at the end, once the domains it looks up are known.
                guard values[base[r] + t] != true, term.applies(to: subject), !term.predicate.isDNSList else { continue }
            }
            // An `over` term is counted only when its rule's outcome depends on it (see
            // ``resolve(_:)``); an `in` term is asked of the store (unknown stays unknown).
            if term.predicate.isLimit { continue }
            if case .dynlist = term.predicate {
                guard let listed = storeOracle?.value(of: term) else { continue }
                values[base[r] + t] = listed != term.isNegated
                if stage == .rcpt { currentRecipient.append((r, t, listed != term.isNegated)) }
                continue
            }
            let (value, failure) = term.isTrue(for: subject, scratch: scratch)
            if let failure { onLimit(rules[r].rule, failure) }
            if sticky {
                if value { values[base[r] + t] = true }
            } else {
                values[base[r] + t] = value
            }
            if stage == .rcpt { currentRecipient.append((r, t, value)) }
            if value, !term.isNegated, case .regex = term.predicate {
                sequence += 1
                lastMatch[base[r] + t] = (subject, sequence)
            }
            if case .dnsList(let list) = term.predicate { noteListing(r, t, term, list, subject, value: value) }
        }
    }

    /// A message `listed` term's value from the result in `subject`, at the end of the message.
    private func setListed(_ r: Int, _ t: Int, _ term: CompiledTerm, _ list: DNSList, _ subject: MatchSubject) {
        let value = term.isNegated != (subject.listings?[list.name]?.isListed == true)
        values[base[r] + t] = value
        noteListing(r, t, term, list, subject, value: value)
    }

    /// The TXT record a true `listed` term found, and why its list could not be checked.
    private func noteListing(_ r: Int, _ t: Int, _ term: CompiledTerm, _ list: DNSList, _ subject: MatchSubject, value: Bool) {
        var text: String?
        if value, !term.isNegated, case .listed(_, let found) = subject.listings?[list.name] { text = found }
        listTexts[base[r] + t] = text
        var deferral: String?
        if list.tempfailsOnFailure, case .unknown(let why) = subject.listings?[list.name] {
            deferral = "DNS list \(list.name) could not be checked (\(why))"
        }
        deferrals[base[r] + t] = deferral
    }

    /// Counts the `over` terms a firing that ``Firing/awaitsStore`` depends on, left to
    /// right, until its rule is decided: the firing when the rule became true, nil when it
    /// is false or stays unknown (a store that cannot say).
    func resolve(_ firing: Firing) -> Firing? {
        guard firing.awaitsStore else { return firing }
        let r = firing.combinedIndex, rule = rules[r], combined = rule.combined!, at = base[r]
        while true {
            switch combined.expression.value({ values[at + $0] }) {
            case true?:
                let earlier = combined.expression.value { t in
                    pointFresh.contains(combined.terms[t].stage) ? pointBefore[at + t] : values[at + t]
                }
                guard earlier != true, !firedInTransaction.contains(r) else { return nil }
                if pointTransactional { firedInTransaction.insert(r) }
                var fired = made(r, input: firing.input)
                fired.combinedIndex = r
                return fired
            case false?:
                return nil
            case nil:
                guard
                    let t = combined.terms.indices.first(where: { t in
                        combined.terms[t].predicate.isLimit && pointFresh.contains(combined.terms[t].stage)
                            && values[at + t] == nil && !triedLimits.contains(at + t)
                    })
                else { return nil }
                triedLimits.insert(at + t)
                let term = combined.terms[t]
                guard let over = storeOracle?.value(of: term) else { continue }
                values[at + t] = over != term.isNegated
                if term.stage == .rcpt { currentRecipient.append((r, t, over != term.isNegated)) }
            }
        }
    }

    /// The firing of rule `r`, with what `$N` and `$txt` come from.
    private func made(_ r: Int, input: MatchedInput) -> Firing {
        let rule = rules[r], combined = rule.combined!, at = base[r]
        let source = (0..<combined.terms.count).compactMap { t in lastMatch[at + t].map { (t, $0) } }
            .max { $0.1.sequence < $1.1.sequence }
            .map { (combined.terms[$0.0], $0.1.subject) }
        let listText = (0..<combined.terms.count).lazy.compactMap { self.listTexts[at + $0] }.first
        return Firing(rule: rule, input: input, captureSource: source, listText: listText)
    }

    /// Whether rule `r` has an `over` term of a stage in `fresh` not counted yet (message
    /// stages' only at the end of the message, `limitsOpen`).
    private func hasOpenLimit(_ r: Int, fresh: Set<Stage>, limitsOpen: Bool) -> Bool {
        let combined = rules[r].combined!, at = base[r]
        return combined.terms.indices.contains { t in
            let term = combined.terms[t]
            return term.predicate.isLimit && fresh.contains(term.stage) && values[at + t] == nil
                && (limitsOpen || !term.stage.isMessageStage)
        }
    }

    private func firings(
        fresh: Set<Stage>, before: [Bool?], input: MatchedInput, transactional: Bool, atMessageEnd: Bool = false,
        limitsOpen: Bool = false
    ) -> [Firing] {
        pointBefore = before
        pointFresh = fresh
        pointTransactional = transactional
        triedLimits = []
        let affected: [Int]
        if fresh.count == 1, let stage = fresh.first {
            affected = rulesByStage[stage] ?? []
        } else {
            affected = Set(fresh.flatMap { rulesByStage[$0] ?? [] }).sorted()
        }
        var result: [Firing] = []
        for r in affected where !firedInTransaction.contains(r) && (atMessageEnd || !atMessageEndOnly.contains(r)) {
            let rule = rules[r], combined = rule.combined!, at = base[r]
            let value = combined.expression.value({ values[at + $0] })
            if value == nil, hasOpenLimit(r, fresh: fresh, limitsOpen: limitsOpen) {
                var firing = Firing(rule: rule, input: input, captureSource: nil)
                firing.awaitsStore = true
                firing.combinedIndex = r
                result.append(firing)
                continue
            }
            guard value == true else {
                // With the terms whose list could not be checked unknown, could the rule be true?
                if let deferral = (0..<combined.terms.count).lazy.compactMap({ self.deferrals[at + $0] }).first,
                    combined.expression.value({ self.deferrals[at + $0] == nil ? self.values[at + $0] : nil }) == nil
                {
                    result.append(Firing(rule: rule, input: input, captureSource: nil, deferral: deferral))
                }
                continue
            }
            // Before this point: its new terms as they were (unknown, or a message term's
            // earlier value).
            let earlier = combined.expression.value { t in fresh.contains(combined.terms[t].stage) ? before[at + t] : values[at + t] }
            guard earlier != true else { continue }
            if transactional { firedInTransaction.insert(r) }
            result.append(made(r, input: input))
        }
        return result
    }
}

/// What answers the store's terms for ``CombinedRuleState`` (the session's evaluator).
protocol StoreTermOracle: AnyObject {
    /// Whether an `over` term's event puts its key over its limit (the event counted), or
    /// whether an `in` term's key is on its list (before negation); nil when unknown.
    func value(of term: CompiledTerm) -> Bool?
}
