import FilterRules
import PCRE2Matching

/// In-process compile time of a rules file through the FilterRules API: parse, then PCRE2
/// compile and JIT of every regex (``RuleSetLoader/compile(text:file:carryingHitsFrom:)``).
enum CompileTime {
    /// Times of `runs` compiles of `text`, which must give `ruleCount` rules; also the parse
    /// alone (``RuleSetLoader/parse(text:file:)``).
    struct Result {
        var compileSeconds: [Double]
        var parseSeconds: [Double]

        var compileMedian: Double { median(compileSeconds) }
        var parseMedian: Double { median(parseSeconds) }
    }

    static func measure(text: String, ruleCount: Int, runs: Int) throws -> Result {
        var result = Result(compileSeconds: [], parseSeconds: [])
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let parsed = try RuleSetLoader.parse(text: text, file: "bench.rules")
            result.parseSeconds.append(seconds(ContinuousClock.now - start))
            guard parsed.rules.count == ruleCount else {
                throw BenchmarkFailure("parsed \(parsed.rules.count) rules, expected \(ruleCount)")
            }
        }
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let compiled = try RuleSetLoader.compile(text: text, file: "bench.rules")
            result.compileSeconds.append(seconds(ContinuousClock.now - start))
            guard compiled.rules.count == ruleCount, compiled.ruleCount(of: .dataline) == ruleCount else {
                throw BenchmarkFailure("compiled \(compiled.rules.count) rules, expected \(ruleCount) dataline rules")
            }
        }
        return result
    }

    /// Whether PCRE2's JIT accepts the first benchmark rule's pattern (else the figures
    /// are those of the interpreter).
    static func jitAvailable() throws -> Bool {
        let file = try RuleSetLoader.parse(text: SpamRules.rule(0), file: "jit-probe")
        guard case .regex(let source, let flags, _) = file.rules.first?.pattern else { return false }
        return try PCRE2Regex(pattern: source, flags: flags).isJITCompiled
    }
}

/// The median of `values` (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
