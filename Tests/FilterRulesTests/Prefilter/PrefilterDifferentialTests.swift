import Foundation
import Synchronization
import Testing
@testable import FilterRules
@testable import PCRE2Matching
import SMTPDTestDouble

/// The prefilter must not change a single decision: every rule set below is compiled twice,
/// once sequential and once prefiltered (its database built before matching starts), and
/// every subject is matched through each stage from every position the evaluator would
/// start from (0, then after each match), comparing the rule, its position and the rules
/// that hit a limit.
@Suite("Prefilter: identical decisions with and without Vectorscan")
struct PrefilterDifferentialTests {
    @Test("Vectorscan runs on this machine (else every other test here would compare PCRE2 with itself)")
    func vectorscanIsAvailable() {
        #expect(Vectorscan.isAvailable, "\(Vectorscan.unavailableReason ?? "")")
    }

    @Test("shipped and fixture rule files", arguments: DifferentialFixtures.shippedFiles)
    func shippedRuleFile(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let pair = try MatcherPair(text: text, file: path)
        var generator = SeededGenerator(seed: 0x5eed_0001)
        let subjects = DifferentialFixtures.subjects(from: pair.sequential, count: 600, using: &generator)
        let compared = try pair.compareEveryStage(subjects)
        #expect(compared > 1_000)
    }

    @Test("the benchmark's spam rules, with lines that match one rule or several")
    func spamRules() throws {
        let text = (0..<600).map(DifferentialFixtures.spamRule).joined(separator: "\n")
        let pair = try MatcherPair(text: text, file: "spam.rules")
        let dataline = try #require(pair.prefiltered.matcher(for: .dataline) as? PrefilteredStageMatcher)
        #expect(dataline.isLive)
        var generator = SeededGenerator(seed: 0x5eed_0002)
        var subjects = DifferentialFixtures.subjects(from: pair.sequential, count: 800, using: &generator)
        // Each matches two rules: a reject (template 0) and, earlier or later, a warn (template 5).
        subjects += (0..<75).map { index in
            "casino bonus code zq\(String(format: "%05d", (74 - index) * 8 + 5))xx42: "
                + "Buy cheap VIAGRA online zq\(String(format: "%05d", index * 8))xx"
        }
        let matched = try pair.compareEveryStage(subjects, countingMatches: true)
        #expect(matched.matches >= 150)
    }

    @Test(
        "generated rule sets: negated rules, back-references, look-arounds, flags, header names",
        arguments: 0..<24)
    func generatedRuleSet(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed) &* 0x9e37_79b9 &+ 17)
        let text = RandomRules.file(ruleCount: 20 + seed * 8, using: &generator)
        let pair = try MatcherPair(text: text, file: "random-\(seed).rules")
        var subjects = DifferentialFixtures.subjects(from: pair.sequential, count: 400, using: &generator)
        subjects += (0..<300).map { _ in RandomRules.subject(using: &generator) }
        let matched = try pair.compareEveryStage(subjects, countingMatches: true)
        #expect(matched.matches > 0, "\(text)")
        let live = pair.prefiltered.prefilteredMatchers.filter { $0.isLive }.count
        #expect(live > 0)
    }

    @Test("runs of one byte before a match, two-byte patterns at the end: what Debian's AVX2 and AVX512 scanners missed")
    func vectorscanRuntimeMissesNothing() throws {
        // With hs_scan's own dispatch on an AVX512 CPU, Vectorscan 5.4.9 missed `z[qr]` at
        // the end of 17 to 63 bytes after `^ab$`/m in the same database, `zqw` after 64 or
        // more `x` next to an anchored pattern, and literals after long runs of one byte
        // (docs/vectorscan-runtime.md); the SSE4.2 scanner misses none of them.
        let text = """
            dataline /^ab$/m reject
            dataline /z[qr]/m reject
            dataline /^cd/ reject
            dataline /[xy][qr]w/ reject
            dataline /9b19:y0a/ reject
            dataline /x-a1 yy1/i reject
            dataline /. cX.y/i reject
            """
        let pair = try MatcherPair(text: text, file: "runtime.rules")
        #expect(Vectorscan.version.hasSuffix("corei7 runtime"), "\(Vectorscan.version)")
        var subjects: [String] = []
        for filler in ["x", "2", "-", " ", "c"] {
            for count in stride(from: 0, through: 300, by: 3) {
                for target in ["zq", "xqw", "9b19:y0a", "X-A1 YY1", ". cX.y"] {
                    subjects.append(String(repeating: filler, count: count) + target)
                    subjects.append(String(repeating: filler, count: count) + target + String(repeating: filler, count: count % 7))
                }
            }
        }
        let matched = try pair.compareEveryStage(subjects, countingMatches: true)
        #expect(matched.matches >= subjects.count - 400)
    }

    @Test(
        "literal stage: caseless rules, alternations, optional parts, classes, anchors, back references",
        arguments: 0..<16)
    func literalRuleSet(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed) &* 0x51_7cc1_b727 &+ 5)
        let text = LiteralRules.file(ruleCount: 40 + seed * 12, using: &generator)
        let pair = try MatcherPair(text: text, file: "literal-\(seed).rules")
        let byLiterals = pair.prefiltered.prefilteredMatchers.map { PrefilterPlan(rules: $0.rules).literalRuleCount }.reduce(0, +)
        #expect(byLiterals > pair.prefiltered.rules.count / 4, "\(text)")
        var subjects = DifferentialFixtures.subjects(from: pair.sequential, count: 300, using: &generator)
        for rule in pair.sequential.rules.prefix(60) {
            guard case .regex(let regex) = rule.predicate else { continue }
            subjects += (0..<5).map { _ in LiteralRules.subject(from: regex.pattern, using: &generator) }
        }
        let matched = try pair.compareEveryStage(subjects, countingMatches: true)
        #expect(matched.matches > 50, "\(text)")
    }

    @Test("a reload planned from the analyses and databases of the set before decides the same")
    func reloadFromRemembered() throws {
        var generator = SeededGenerator(seed: 0x5eed_0004)
        let before = LiteralRules.file(ruleCount: 150, using: &generator) + RandomRules.file(ruleCount: 150, using: &generator)
        var lines = before.split(separator: "\n").map(String.init)
        lines.insert("dataline /inserted zq(?:1|2)x/i reject", at: 40)
        lines[100] = "dataline /changed [0-9]{3}-x/ reject"
        lines.remove(at: 200)
        let options = PrefilterOptions()
        let first = try MatcherPair(text: before, file: "before.rules", options: options)
        let remembered = options.analyses.analyses(of: .dataline).count
        #expect(remembered > 10)
        let second = try MatcherPair(text: lines.joined(separator: "\n") + "\n", file: "after.rules", options: options)
        var subjects = DifferentialFixtures.subjects(from: second.sequential, count: 400, using: &generator)
        subjects += ["INSERTED ZQ2X", "changed 123-x", "changed 12-x"]
        let matched = try second.compareEveryStage(subjects, countingMatches: true)
        #expect(matched.matches > 50)
        _ = first
    }

    @Test("while regex parts are still to be built, their rules are tried with PCRE2")
    func pendingPartsAreAlwaysTried() throws {
        var generator = SeededGenerator(seed: 0x5eed_0003)
        let text = RandomRules.file(ruleCount: 400, using: &generator) + LiteralRules.file(ruleCount: 200, using: &generator)
        // The parts are never built: the build is abandoned once the first step is live.
        let firstStepDone = Mutex(Set<Stage>())
        let options = PrefilterOptions(
            report: { report in
                if case .firstStepLive(let stage, _, _, _, _, _) = report { firstStepDone.withLock { _ = $0.insert(stage) } }
            },
            isAbandoned: { !firstStepDone.withLock { $0.isEmpty } })
        let pair = try MatcherPair(text: text, file: "pending.rules", options: options)
        #expect(!firstStepDone.withLock { $0.isEmpty })
        #expect(pair.prefiltered.prefilteredMatchers.contains { $0.isLive })
        var subjects = DifferentialFixtures.subjects(from: pair.sequential, count: 300, using: &generator)
        subjects += (0..<200).map { _ in RandomRules.subject(using: &generator) }
        let matched = try pair.compareEveryStage(subjects, countingMatches: true)
        #expect(matched.matches > 100)
    }

    @Test("rules Vectorscan refuses or cannot stand in for are always tried")
    func refusedRulesAreAlwaysTried() throws {
        let text = """
            dataline /(ab)\\1/ reject
            dataline /foo(?=bar)/ reject
            dataline /a\\Kb/ reject
            dataline /x*/ warn
            dataline ! /zz/ junk
            dataline /\\p{Lu}é/ reject
            dataline /caf\\x{e9}/u reject
            dataline /(*CRLF)a$/ reject
            dataline /plain words/ reject
            header Subject /^hello/ reject
            """
        let pair = try MatcherPair(text: text, file: "refused.rules")
        let matcher = try #require(pair.prefiltered.matcher(for: .dataline) as? PrefilteredStageMatcher)
        #expect(matcher.isLive)
        _ = try pair.compareEveryStage([
            "abab", "foobar", "ab", "", "zz", "ÉÉé", "café", "a\r\n", "plain words", "x",
            "Subject: hello", "Subject: say hello", "abab plain words zz",
        ])
    }
}

/// The same rules compiled sequential and prefiltered.
struct MatcherPair {
    let sequential: CompiledRuleSet
    let prefiltered: CompiledRuleSet

    init(text: String, file: String, options: PrefilterOptions = PrefilterOptions()) throws {
        sequential = try RuleSetLoader.compile(text: text, file: file)
        prefiltered = try RuleSetLoader.compile(text: text, file: file, matching: .prefiltered(options))
        prefiltered.waitForPrefilters()
    }

    /// Compares every stage on every subject; returns how many comparisons were made and how
    /// many of them found a rule.
    @discardableResult
    func compareEveryStage(_ subjects: [String], countingMatches: Bool = false) throws -> (compared: Int, matches: Int) {
        let scratch = MatchScratch(limits: sequential.options.limits)
        var compared = 0
        var matches = 0
        for stage in Stage.allCases {
            guard let plain = sequential.matcher(for: stage), let fast = prefiltered.matcher(for: stage) else { continue }
            for text in subjects {
                let subject = DifferentialFixtures.subject(text, for: stage)
                var position = 0
                while position <= plain.rules.count {
                    let expected = plain.firstMatch(subject, from: position, scratch: scratch)
                    let actual = fast.firstMatch(subject, from: position, scratch: scratch)
                    compared += 1
                    #expect(actual.position == expected.position, "\(stage) \(text.debugDescription) from \(position)")
                    #expect(actual.rule?.index == expected.rule?.index)
                    #expect(actual.limitFailures.map(\.rule.index) == expected.limitFailures.map(\.rule.index))
                    guard let at = expected.position, actual.position == at else { break }
                    matches += 1
                    position = at + 1
                }
            }
        }
        return (compared, matches)
    }

    @discardableResult
    func compareEveryStage(_ subjects: [String]) throws -> Int { try compareEveryStage(subjects, countingMatches: false).compared }
}
