import PCRE2Matching

/// The first rule of a stage that matches an input: the one interface the evaluator uses,
/// so a faster multi-pattern engine can replace ``SequentialStageMatcher`` without touching
/// the parser, the evaluator or the protocol code. Matchers are classes: the evaluator
/// passes one around for every message line, and a class existential costs one reference.
public protocol StageMatcher: AnyObject, Sendable {
    /// The stage's rules in file order.
    var rules: [CompiledRule] { get }

    /// The first rule (in file order) at or after `position` in ``rules`` that matches
    /// `subject`, and the rules before it whose regex hit a PCRE2 limit (they count as not
    /// matching). The evaluator calls it again after a non-final rule (junk, add-header,
    /// warn) with the position after that rule.
    func firstMatch(_ subject: MatchSubject, from position: Int, scratch: MatchScratch) -> StageMatch
}

extension StageMatcher {
    /// The first rule of the stage that matches `subject` (see ``firstMatch(_:from:scratch:)``).
    public func firstMatch(_ subject: MatchSubject, scratch: MatchScratch) -> StageMatch {
        firstMatch(subject, from: 0, scratch: scratch)
    }
}

/// The result of matching one input against a stage.
public struct StageMatch {
    /// The matching rule, nil when none matched.
    public var rule: CompiledRule?
    /// Its position in the matcher's ``StageMatcher/rules``.
    public var position: Int?
    /// Rules whose regex hit a limit, with PCRE2's reason.
    public var limitFailures: [(rule: CompiledRule, reason: String)] = []

    /// Creates a result.
    public init(rule: CompiledRule? = nil, position: Int? = nil, limitFailures: [(rule: CompiledRule, reason: String)] = []) {
        self.rule = rule
        self.position = position
        self.limitFailures = limitFailures
    }
}

/// Tries the rules one after another; simple and good for hundreds of rules per stage.
public final class SequentialStageMatcher: StageMatcher {
    /// The stage's rules in file order.
    public let rules: [CompiledRule]

    /// Creates a matcher over `rules`.
    public init(rules: [CompiledRule]) {
        self.rules = rules
    }

    /// The first matching rule, honouring negation; limit failures never match, and once
    /// the time limit of the input has passed no further rule is tried.
    public func firstMatch(_ subject: MatchSubject, from position: Int, scratch: MatchScratch) -> StageMatch {
        var result = StageMatch()
        var index = position
        while index < rules.count {
            if result.tryRule(rules[index], at: index, subject, scratch) { return result }
            index += 1
        }
        return result
    }
}

extension StageMatch {
    /// Tries `rule` (at `index` of its stage) on `subject`, honouring negation: records a
    /// match, or a limit failure (which never matches). True when the search ends here: the
    /// rule matched, or it hit a limit after the input's time limit had passed (no further
    /// rule is tried then).
    mutating func tryRule(_ rule: CompiledRule, at index: Int, _ subject: MatchSubject, _ scratch: MatchScratch) -> Bool {
        guard rule.applies(to: subject) else { return false }
        switch rule.patternResult(subject, scratch: scratch) {
        case .match:
            if !rule.isNegated { self.rule = rule; position = index; return true }
        case .noMatch:
            if rule.isNegated { self.rule = rule; position = index; return true }
        case .limitExceeded(let reason), .failed(let reason):
            limitFailures.append((rule, reason))
            // Past the input's time limit the remaining rules are not tried.
            if scratch.deadline?.hasPassed == true { return true }
        }
        return false
    }
}
