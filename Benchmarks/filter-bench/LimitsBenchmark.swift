// The limits mode: the CPU time catastrophic rules cost on one crafted long line (95 KiB
// and 1 MiB) and on messages of such lines, in process through the FilterRules API with
// the default limits of a file without `set` lines, and which limits they hit.
import FilterRules
#if canImport(Glibc)
    import Glibc
#endif

/// The options of the limits mode, as its command sets them.
struct LimitsOptions {
    /// Whether to leave out the 1 MiB lines (they take seconds each without time limits).
    var quick = false
}

/// One measured case: a rules file and the body lines of one message.
struct CatastrophicCase {
    /// The rules, as the table shows them.
    var rules: String
    /// The rules file.
    var text: String
    /// What the body lines are, for the table.
    var input: String
    /// The body lines of the message (after one header and the empty line).
    var bodyLines: [[UInt8]]

    /// A case of one rule.
    init(rule: String, input: String, bodyLines: [[UInt8]]) {
        self.init(rules: "`\(rule)`", text: rule + "\n", input: input, bodyLines: bodyLines)
    }

    /// A case of any rules file.
    init(rules: String, text: String, input: String, bodyLines: [[UInt8]]) {
        self.rules = rules
        self.text = text
        self.input = input
        self.bodyLines = bodyLines
    }
}

/// Runs the limits mode.
func runLimitsBenchmark(_ options: LimitsOptions) throws {
    let sizes = options.quick ? [95 << 10] : [95 << 10, 1 << 20]
    var cases: [CatastrophicCase] = []
    for size in sizes {
        cases.append(
            CatastrophicCase(
                rule: "body /(.*a){20}/ reject", input: "1 line: 19 × \"ax\", then x to \(grouped(size)) bytes",
                bodyLines: [AdversarialLines.sparseA(length: size)]))
        cases.append(
            CatastrophicCase(
                rule: "body /(a+)+$/ reject", input: "1 line: (15 × a, b) repeated to \(grouped(size)) bytes",
                bodyLines: [AdversarialLines.runsOfA(length: size, run: 15)]))
    }
    // Runs just short of what the lowered JIT limit of the length stops at once (1,027 on
    // 95 KiB, 95 on 1 MiB): every start position backtracks as long as it may.
    let tuned = [(95 << 10, 9), (1 << 20, 5)].filter { sizes.contains($0.0) }
    for (size, run) in tuned {
        cases.append(
            CatastrophicCase(
                rule: "body /(a+)+$/ reject", input: "1 line: (\(run) × a, b) repeated to \(grouped(size)) bytes",
                bodyLines: [AdversarialLines.runsOfA(length: size, run: run)]))
    }
    let slowLine = AdversarialLines.runsOfA(length: 95 << 10, run: 9)
    cases.append(
        CatastrophicCase(
            rules: "100 × `body /(a+)+$/ reject`", text: String(repeating: "body /(a+)+$/ reject\n", count: 100),
            input: "1 line: (9 × a, b) repeated to 97,280 bytes", bodyLines: [slowLine]))
    cases.append(
        CatastrophicCase(
            rule: "body /(a+)+$/ reject", input: "8 lines: (15 × a, b) repeated to 95 KiB each",
            bodyLines: Array(repeating: AdversarialLines.runsOfA(length: 95 << 10, run: 15), count: 8)))
    cases.append(
        CatastrophicCase(
            rule: "body /(a+)+$/ reject", input: "100 lines: (9 × a, b) repeated to 95 KiB each",
            bodyLines: Array(repeating: slowLine, count: 100)))
    print("| rules | message body | CPU s | limit hits |")
    print("| --- | --- | ---: | --- |")
    for item in cases {
        let result = try measure(item)
        print("| \(item.rules) | \(item.input) | \(fixed(result.cpuSeconds, 3)) | \(result.hits) |")
    }
}

/// The thread's CPU time for one message of `item` (DATA to the final dot), and its limit
/// hits as `count × reason`, `none` without any.
private func measure(_ item: CatastrophicCase) throws -> (cpuSeconds: Double, hits: String) {
    let ruleSet = try RuleSetLoader.compile(text: item.text, file: "limits.rules")
    let evaluator = SessionEvaluator(ruleSet: ruleSet)
    var reasons: [String: Int] = [:]
    evaluator.onLimitExceeded = { _, reason in reasons[reason, default: 0] += 1 }
    let start = threadCPUSeconds()
    _ = evaluator.data()
    evaluator.dataLine(Array("Subject: limits".utf8))
    evaluator.dataLine([])
    for line in item.bodyLines { evaluator.dataLine(line) }
    let decision = evaluator.endOfMessage()
    let elapsed = threadCPUSeconds() - start
    guard decision.rule == nil else { throw BenchmarkFailure("\(item.rules) matched \(item.input): \(decision)") }
    let hits = reasons.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }
    return (elapsed, hits.isEmpty ? "none" : hits.joined(separator: ", "))
}

/// The CPU time this thread has used, in seconds.
private func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Lines that make catastrophic patterns backtrack as long as their limits let them.
enum AdversarialLines {
    /// 19 `a`s (one short of what `(.*a){20}` needs) at every other byte from the start,
    /// then `x` to `length`: every `.*` runs to the end of the line and back.
    static func sparseA(length: Int) -> [UInt8] {
        var line = [UInt8](repeating: UInt8(ascii: "x"), count: length)
        for index in 0..<19 { line[2 * index] = UInt8(ascii: "a") }
        return line
    }

    /// Runs of `run` `a`s, each ended by a `b`, to `length` bytes, the last run cut short
    /// and followed by a `b`: `(a+)+$` tries every split of every run at every start.
    static func runsOfA(length: Int, run: Int) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(length)
        while line.count < length - 1 {
            line.append(line.count % (run + 1) == run ? UInt8(ascii: "b") : UInt8(ascii: "a"))
        }
        line.append(UInt8(ascii: "b"))
        return line
    }
}
