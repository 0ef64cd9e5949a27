import Testing
@testable import FilterRules
@testable import PCRE2Matching

/// `parallelMap`, which loading a rules file runs on every core, must give its results
/// back: before, the slots it computed them into were deallocated without being
/// deinitialized, and every compiled rule of a file of more than 64 rules leaked at each
/// load and reload (LeakSanitizer, filter-fuzz rules).
@Suite("parallelMap releases what it computed")
struct ParallelMapReleaseTests {
    private final class Box: Sendable {}

    @Test("the results of a map of more than two tasks are freed with the array")
    func resultsAreReleased() {
        weak var first: Box?
        do {
            let boxes = Array(0..<200).parallelMap { _ in Box() }
            first = boxes[0]
            #expect(first != nil)
        }
        #expect(first == nil)
    }

    @Test("a rule set of 100 rules is freed with its compiled regexes")
    func ruleSetIsReleased() throws {
        weak var regex: PCRE2Regex?
        do {
            let text = (0..<100).map { "dataline /^released\($0)x$/ reject" }.joined(separator: "\n")
            let set = try RuleSetLoader.compile(text: text, file: "many.rules")
            if case .regex(let compiled) = set.rules[7].predicate { regex = compiled }
            #expect(regex != nil)
        }
        #expect(regex == nil)
    }
}
