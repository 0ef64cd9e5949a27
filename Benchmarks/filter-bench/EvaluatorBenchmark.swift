// The evaluate mode: message lines per second through SessionEvaluator in process (no
// filter process, no protocol), with 10, 100 and 1,000 dataline rules that match nothing:
// what the evaluator and PCRE2 cost per line and rule, without the noise of two processes.
import FilterRules

/// The options of the evaluate and conditions modes, as their commands set them.
struct EvaluateOptions {
    var secondsPerCase = 1.0
    var ruleCounts = [10, 100, 1_000]
    /// Whether the rules go through the Vectorscan prefilter (built before measuring).
    var prefilter = false

    /// The defaults, or with `quick` the shorter cases of --quick.
    init(quick: Bool = false) {
        if quick { secondsPerCase = 0.3 }
    }
}

/// Runs the evaluate mode.
func runEvaluatorBenchmark(_ options: EvaluateOptions) throws {
    let message = SampleMessage(targetBytes: benchmarkMessageBytes)
    let lines = message.bytes.split(separator: 0x0a, omittingEmptySubsequences: false).dropLast().map(Array.init)
    print("message: \(grouped(lines.count)) lines, at least \(fixed(options.secondsPerCase, 1)) s per case")
    print("| dataline rules | messages | lines/s | ns per line and rule |")
    print("| ---: | ---: | ---: | ---: |")
    for count in options.ruleCounts {
        let ruleSet = try RuleSetLoader.compile(
            text: SpamRules.file(count: count), file: "evaluate.rules",
            matching: options.prefilter ? .prefiltered(PrefilterOptions()) : .sequential)
        ruleSet.waitForPrefilters()
        let (messages, elapsed) = try evaluateRepeatedly(
            ruleSet, lines: lines, for: options.secondsPerCase,
            refused: "the sample message was refused")
        let perSecond = Double(messages * lines.count) / elapsed
        print(
            "| \(grouped(count)) | \(messages) | \(grouped(Int(perSecond.rounded()))) "
                + "| \(fixed(1e9 / perSecond / Double(count), 1)) |")
    }
}

/// Runs `lines` as one message after another, each through a new session of `ruleSet`, for
/// at least `minimum` seconds; returns how many messages ran and the seconds taken. Throws
/// `refused` as a ``BenchmarkFailure`` when a message is not accepted.
func evaluateRepeatedly(
    _ ruleSet: CompiledRuleSet, lines: [[UInt8]], for minimum: Double,
    refused: String
) throws -> (messages: Int, elapsed: Double) {
    var messages = 0
    let start = ContinuousClock.now
    var elapsed = 0.0
    repeat {
        let evaluator = SessionEvaluator(ruleSet: ruleSet)
        _ = evaluator.data()
        for line in lines { evaluator.dataLine(line) }
        guard evaluator.endOfMessage().isAccept else { throw BenchmarkFailure(refused) }
        messages += 1
        elapsed = seconds(ContinuousClock.now - start)
    } while elapsed < minimum
    return (messages, elapsed)
}
