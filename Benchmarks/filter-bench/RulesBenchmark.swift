// The rules mode: data lines per second through `filter-rules serve` with 0 (baseline),
// 10, 100 and 1,000 dataline rules that match nothing, and the compile time of 1,000 and
// 10,000 rules in process.
import SMTPDTestDouble
#if canImport(Glibc)
import Glibc
#endif

/// The rules mode's command line (the words after `rules`).
struct RulesOptions {
    var filter = FilterProcess.builtExecutable(named: "filter-rules")
    var secondsPerCase = 1.5
    var compileRuns = 5

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--filter": filter = iterator.next() ?? filter
            case "--seconds": secondsPerCase = iterator.next().flatMap(Double.init) ?? secondsPerCase
            case "--quick": secondsPerCase = 0.3; compileRuns = 3
            default:
                print("usage: filter-bench rules [--filter PATH] [--seconds S] [--quick]")
                exit(2)
            }
        }
    }
}

/// The rule counts of the throughput cases; the first is the baseline.
let throughputRuleCounts = [0, 10, 100, 1_000]
/// The rule counts of the compile-time cases.
let compileRuleCounts = [1_000, 10_000]
/// The size of the message pushed in every throughput case.
let benchmarkMessageBytes = 256 << 10

/// Runs the rules mode with the words after `rules`.
func runRulesBenchmark(_ arguments: [String]) {
    let options = RulesOptions(arguments)
    do {
        try RuleChecks.templatesMatchTheirExamples()
        let message = SampleMessage(targetBytes: benchmarkMessageBytes)
        let bench = DataLineThroughput(executable: options.filter, message: message, minimumSeconds: options.secondsPerCase)
        print("filter: \(options.filter)")
        print("message: \(grouped(message.bytes.count)) bytes in \(grouped(message.lineCount)) lines "
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
            print("| \(grouped(count)) | \(result.messages) | \(grouped(Int(result.linesPerSecond.rounded()))) "
                  + "| \(fixed(result.mebibytesPerSecond, 1)) | \(fixed(result.linesPerSecond / base, 3)) |")
        }
        print("")
        print("PCRE2 JIT: \(try CompileTime.jitAvailable() ? "yes" : "NO (interpreter)")")
        print("| rules | compile (parse + PCRE2 compile + JIT), median of \(options.compileRuns) | parse alone, median | per rule |")
        print("| ---: | ---: | ---: | ---: |")
        for count in compileRuleCounts {
            let result = try CompileTime.measure(text: SpamRules.file(count: count), ruleCount: count, runs: options.compileRuns)
            print("| \(grouped(count)) | \(fixed(result.compileMedian * 1000, 1)) ms | \(fixed(result.parseMedian * 1000, 1)) ms "
                  + "| \(fixed(result.compileMedian / Double(count) * 1e6, 1)) µs |")
        }
    } catch {
        print("filter-bench rules: FAILED: \(error)")
        exit(1)
    }
}

/// `1234567` as `1,234,567`.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (offset, digit) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { out += "," }
        out.append(digit)
    }
    return value < 0 ? "-" + out : out
}

/// `value` with `places` decimals.
func fixed(_ value: Double, _ places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (value * scale).rounded()
    let whole = Int(scaled / scale)
    guard places > 0 else { return String(whole) }
    let fraction = Int(abs(scaled).truncatingRemainder(dividingBy: scale))
    let text = String(fraction)
    let sign = scaled < 0 && whole == 0 ? "-" : ""
    return sign + String(whole) + "." + String(repeating: "0", count: places - text.count) + text
}
