import Foundation
import Testing
@testable import FilterRules
import SMTPDTestDouble

/// Whole sessions through ``SessionEvaluator`` with the same rules sequential and
/// prefiltered: every step's decision (verdict, rule, reply, marks, edits) must be the same.
/// This covers what the matcher comparison does not: the evaluator's way from a stage's
/// first match to a decision, including the short way for inputs nothing matches.
@Suite("Prefilter: identical session decisions with and without Vectorscan")
struct EvaluatorDifferentialTests {
    @Test("generated rule sets over generated sessions", arguments: 0..<12)
    func generatedSessions(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed) &* 0x2545_f491 &+ 3)
        let text = RandomRules.file(ruleCount: 30 + seed * 10, using: &generator)
        let pair = try MatcherPair(text: text, file: "sessions-\(seed).rules")
        let pieces =
            DifferentialFixtures.subjects(from: pair.sequential, count: 300, using: &generator)
            + (0..<100).map { _ in RandomRules.subject(using: &generator) }
        var refusals = 0
        var marked = 0
        for _ in 0..<20 {
            let plain = SessionEvaluator(ruleSet: pair.sequential)
            let fast = SessionEvaluator(ruleSet: pair.prefiltered)
            func both(_ step: (SessionEvaluator) -> Decision) -> Decision {
                let expected = step(plain)
                let actual = step(fast)
                #expect(actual == expected, "\(text)")
                if !expected.isAccept { refusals += 1 }
                marked += expected.marks.count
                return expected
            }
            let pick = { (generator: inout SeededGenerator) in pieces.randomElement(using: &generator)! }
            let host = pick(&generator), helo = pick(&generator), mail = pick(&generator), rcpt = pick(&generator)
            _ = both { $0.connect(address: "192.0.2.7", hostname: host) }
            _ = both { $0.helo(helo) }
            _ = both { $0.mail(mail) }
            _ = both { $0.rcpt(rcpt) }
            _ = both { $0.data() }
            var lines = (0..<Int.random(in: 0..<6, using: &generator)).map { _ in "Subject: " + pick(&generator) }
            lines.append("")
            lines += (0..<Int.random(in: 1..<30, using: &generator)).map { _ in pick(&generator) }
            for line in lines {
                let bytes = Array(line.utf8).filter { $0 != 10 }
                plain.dataLine(bytes)
                fast.dataLine(bytes)
            }
            _ = both { $0.endOfMessage() }
        }
        // The sets must decide something, or the comparison says little.
        #expect(refusals + marked > 0, "\(text)")
    }
}

/// The stage table the evaluator looks its stages up in.
@Suite("StageEvaluations")
struct StageEvaluationsTests {
    @Test("every stage has its own slot: its position among all stages")
    func ordinals() throws {
        #expect(Stage.allCases.map(\.ordinal) == Array(0..<Stage.allCases.count))
        let table = try RuleSetLoader.compile(text: "body /x/ reject\n", file: "body.rules").stageEvaluations
        for stage in Stage.allCases {
            #expect((table[stage] != nil) == (stage == .body), "\(stage)")
        }
    }
}
