import ConfigurationFiles
import Testing
@testable import FilterRules

/// A rule continued over `count` lines that hold only a backslash, between its regex and
/// its action.
private func continuedRule(lines count: Int) -> String {
    "body /x/ \\\n" + String(repeating: "  \\\n", count: count) + "  reject\n"
}

/// The shortest of three loads of `text`, in seconds, each checked to give the one rule.
private func loadTime(_ text: String) throws -> Double {
    var best = Double.infinity
    for _ in 0..<3 {
        let clock = ContinuousClock()
        var loaded: CompiledRuleSet?
        let elapsed = try clock.measure { loaded = try RuleSetLoader.compile(text: text, file: "r.conf") }
        let rules = try #require(loaded).rules
        try #require(rules.count == 1 && rules[0].rule.action == .reject)
        #expect(rules[0].rule.location == SourceLocation(file: "r.conf", line: 1, column: 1))
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return best
}

@Suite("Rules parser: long continued rules")
struct ContinuationScalingTests {
    @Test("a rule continued over 64,000 lines loads in time linear in its length")
    func linearInContinuationLines() throws {
        let small = try loadTime(continuedRule(lines: 8_000))
        let large = try loadTime(continuedRule(lines: 64_000))
        // Eight times the lines: about 8x when linear, 64x when quadratic (as it was, when
        // each continuation copied the line joined so far).
        #expect(large / small < 24, "8,000 lines: \(small) s, 64,000 lines: \(large) s")
    }

    @Test("an error at the end of a long continued rule names its physical line")
    func errorLocationAtTheEnd() {
        let text = "body /x/ \\\n" + String(repeating: "  \\\n", count: 64_000) + "  rejekt\n"
        do {
            _ = try RuleSetLoader.compile(text: text, file: "r.conf")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "r.conf:64002:3: unknown action 'rejekt', expected accept, reject, tempfail, disconnect, greylist, junk, add-header, warn, score, add-to or remove-from"
            )
        }
    }
}
