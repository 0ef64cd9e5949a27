// The prefilter mode: data lines per second through `filter-rules serve` (filter API 52)
// with 0 to 10,000 dataline rules, the prefilter off and on, beside a plain Vectorscan scan
// of the same rules; the time to register and until the prefilter is live, cold and from
// the cache; resident memory.
import Foundation
import SMTPDTestDouble

/// The rule counts of the prefilter mode; the first is the baseline.
let prefilterRuleCounts = [0, 10, 100, 1_000, 10_000]
/// The largest count measured with the prefilter off (10,000 rules run at about 100 lines/s).
let largestSequentialCount = 1_000

/// Runs the prefilter mode (the rules mode's options).
func runPrefilterBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    let message = SampleMessage(targetBytes: benchmarkMessageBytes)
    let lines = message.bytes.split(separator: 10, omittingEmptySubsequences: false).dropLast().map(Array.init)
    let bench = DataLineThroughput(executable: options.filter, message: message, minimumSeconds: options.secondsPerCase)
    print("filter: \(options.filter)")
    print(
        "message: \(grouped(message.bytes.count)) bytes in \(grouped(message.lineCount)) lines, filter API 52, "
            + "at least \(fixed(options.secondsPerCase, 1)) s per case; each prefilter case starts with an empty cache")
    print("")
    print(
        "| dataline rules | prefilter off: lines/s | vs. 0 | prefilter on: lines/s | MiB/s | vs. 0 | plain Vectorscan scan: lines/s | registered after | "
            + "prefilter live after | RSS |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    var baseOff: Double?
    var baseOn: Double?
    let counts = options.ruleCounts ?? prefilterRuleCounts
    for count in counts {
        let rules = SpamRules.file(count: count)
        var offColumns = "not measured | –"
        if count <= largestSequentialCount {
            let off = try bench.measure(rules: rules, ruleCount: count, arguments: ["--prefilter", "off"])
            baseOff = baseOff ?? off.linesPerSecond
            offColumns = "\(grouped(Int(off.linesPerSecond))) | \(fixed(off.linesPerSecond / baseOff!, 3))"
        }
        let cache = try TemporaryDirectory()
        let start = try PrefilterStart.measure(options.filter, rules: rules, cache: cache.path, ruleCount: count)
        let on = try bench.measure(
            rules: rules, ruleCount: count, arguments: ["-v", "--prefilter-cache", cache.path],
            waitForLog: count > 0 ? "prefilter live for dataline" : nil)
        baseOn = baseOn ?? on.linesPerSecond
        let limit = count > 0 ? try VectorscanLimit.measure(rules: rules, lines: lines, minimumSeconds: options.secondsPerCase) : nil
        print(
            "| \(grouped(count)) | \(offColumns) | \(grouped(Int(on.linesPerSecond))) | \(fixed(on.mebibytesPerSecond, 1)) "
                + "| \(fixed(on.linesPerSecond / baseOn!, 3)) | \(limit.map { grouped(Int($0.linesPerSecond)) } ?? "–") "
                + "| \(fixed(start.registered * 1000, 1)) ms | \(start.live.map { "\(fixed($0, 2)) s" } ?? "–") "
                + "| \(start.residentKilobytes.map { "\(grouped($0 / 1024)) MiB" } ?? "–") |")
        if count == counts.last {
            let warm = try PrefilterStart.measure(options.filter, rules: rules, cache: cache.path, ruleCount: count)
            print("")
            print(
                "\(grouped(count)) rules, restarted with the cache filled: registered after \(fixed(warm.registered * 1000, 1)) ms, "
                    + "prefilter live after \(warm.live.map { fixed($0, 2) } ?? "–") s (cold: \(start.live.map { fixed($0, 2) } ?? "–") s)")
        }
    }
}

/// How long a filter takes from its start to its registration answer and until the log says
/// the dataline prefilter is live, and its resident memory then.
struct PrefilterStart {
    var registered: Double
    var live: Double?
    var residentKilobytes: Int?

    static func measure(_ executable: String, rules text: String, cache: String, ruleCount: Int) throws -> PrefilterStart {
        let rules = try TemporaryFile(text, name: "rules.conf")
        let started = ContinuousClock.now
        let process = try FilterProcess(
            executable: executable, name: "rules",
            arguments: ["--rules", rules.path, "-v", "--prefilter-cache", cache])
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
        var result = PrefilterStart(registered: seconds(ContinuousClock.now - started))
        if ruleCount > 0 {
            try waitForStderr(process, "prefilter live for dataline", timeout: 300)
            result.live = seconds(ContinuousClock.now - started)
        }
        result.residentKilobytes = process.residentKilobytes
        return result
    }
}

/// A private temporary directory, removed at the end.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("filter-bench-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700])
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
