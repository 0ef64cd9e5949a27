import Testing
#if canImport(Glibc)
    import Glibc
#endif
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

/// A rule set with a prefilter is freed with its databases' users once it is built and
/// dropped (a reload's old set).
@Suite("A prefiltered rule set is freed once dropped")
struct PrefilteredSetReleaseTests {
    @Test("no reference to the set's regexes outlives it")
    func released() throws {
        weak var regex: PCRE2Regex?
        do {
            let text =
                (0..<100).map { "dataline /^released\($0)x$/ reject" }.joined(separator: "\n") + "\n"
                + (0..<300).map { "dataline /^[a-c]{\($0 % 9 + 1)}[0-9]{\($0 / 9 + 1)}$/ reject" }.joined(separator: "\n")
            let set = try RuleSetLoader.compile(text: text, file: "many.rules", matching: .prefiltered(PrefilterOptions()))
            set.waitForPrefilters()
            #expect(set.prefiltersAreBuilt)
            if case .regex(let compiled) = set.rules[7].predicate { regex = compiled }
        }
        // The build's last job may still be returning on its queue.
        for _ in 0..<100 where regex != nil { usleep(10_000) }
        #expect(regex == nil)
    }
}
