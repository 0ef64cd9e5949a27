// The rules mode: data lines per second through `filter-rules serve` with 0 (baseline),
// 10, 100 and 1,000 dataline rules that match nothing, and the compile time of 1,000 and
// 10,000 rules in process.
import SMTPDTestDouble

/// The options of the rules mode and of the other modes that drive filter-rules (line,
/// prefilter, compile, burst, envelope, hold, reload, reload-burst), as their commands set them.
struct RulesOptions {
    var filter = FilterProcess.builtExecutable(named: "filter-rules")
    var secondsPerCase = 1.5
    var compileRuns = 5
    /// The rule counts of the prefilter mode (`--rules 0,1000`); the first is the baseline.
    var ruleCounts: [Int]?

    /// The defaults, or with `quick` the shorter runs of --quick.
    init(quick: Bool = false) {
        if quick { secondsPerCase = 0.3; compileRuns = 3 }
    }
}

/// The rule counts of the throughput cases; the first is the baseline.
let throughputRuleCounts = [0, 10, 100, 1_000]
/// The rule counts of the compile-time cases.
let compileRuleCounts = [1_000, 10_000]
/// The size of the message pushed in every throughput case.
let benchmarkMessageBytes = 256 << 10

/// Runs the rules mode.
func runRulesBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    try RuleChecks.templatesMatchTheirExamples()
    let message = SampleMessage(targetBytes: benchmarkMessageBytes)
    let bench = DataLineThroughput(executable: options.filter, message: message, minimumSeconds: options.secondsPerCase)
    print("filter: \(options.filter)")
    print(
        "message: \(grouped(message.bytes.count)) bytes in \(grouped(message.lineCount)) lines "
            + "(\(fixed(Double(message.bytes.count) / Double(message.lineCount), 1)) bytes a line), "
            + "at least \(fixed(options.secondsPerCase, 1)) s of data phase per case")
    print("")
    print("| dataline rules | messages | data lines/s | MiB/s | vs. 0 rules |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    var baseline: Double?
    for count in throughputRuleCounts {
        let result = try bench.measure(rules: SpamRules.file(count: count), ruleCount: count)
        let base = baseline ?? result.linesPerSecond
        baseline = base
        print(
            "| \(grouped(count)) | \(result.messages) | \(grouped(Int(result.linesPerSecond.rounded()))) "
                + "| \(fixed(result.mebibytesPerSecond, 1)) | \(fixed(result.linesPerSecond / base, 3)) |")
    }
    print("")
    try printCompileTimes(options)
}

/// The compile mode (and the end of the rules mode): in-process compile and parse times of
/// 1,000 and 10,000 rules.
func printCompileTimes(_ options: RulesOptions) throws {
    print("PCRE2 JIT: \(try CompileTime.jitAvailable() ? "yes" : "NO (interpreter)")")
    print("| rules | compile (parse + PCRE2 compile + JIT), median of \(options.compileRuns) | parse alone, median | per rule |")
    print("| ---: | ---: | ---: | ---: |")
    for count in compileRuleCounts {
        let result = try CompileTime.measure(text: SpamRules.file(count: count), ruleCount: count, runs: options.compileRuns)
        print(
            "| \(grouped(count)) | \(fixed(result.compileMedian * 1000, 1)) ms | \(fixed(result.parseMedian * 1000, 1)) ms "
                + "| \(fixed(result.compileMedian / Double(count) * 1e6, 1)) µs |")
    }
}
