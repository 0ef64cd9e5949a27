import Testing
@testable import FilterRules
@testable import PCRE2Matching

/// A reload compiles only the regexes that changed: the others are the previous set's.
@Suite("Reloads reuse the compiled regexes of unchanged rules")
struct RegexReuseTests {
    private func regex(_ set: CompiledRuleSet, _ index: Int) throws -> PCRE2Regex {
        guard case .regex(let regex) = set.rules[index].predicate else { throw RegexMissing() }
        return regex
    }

    private struct RegexMissing: Error {}

    @Test("same source and flags: the same compiled regex; changed source or flags: a new one")
    func reuse() throws {
        let first = try RuleSetLoader.compile(
            text: "dataline /alpha/ reject\nhelo /beta/i reject\nrcpt /gamma/ reject\n", file: "a")
        let second = try RuleSetLoader.compile(
            text: "mail /alpha/ reject\nhelo /beta/ reject\nrcpt /gamma/ reject\nrcpt /delta/ reject\n", file: "a",
            carryingHitsFrom: first)
        #expect(try regex(second, 0) === regex(first, 0))  // another stage, same regex
        #expect(try regex(second, 1) !== regex(first, 1))  // flags changed
        #expect(try regex(second, 2) === regex(first, 2))
        let scratch = MatchScratch()
        #expect(try regex(second, 1).matches("BETA", scratch: scratch) == .noMatch)
        #expect(try regex(second, 3).matches("delta", scratch: scratch) == .match)
    }
}
