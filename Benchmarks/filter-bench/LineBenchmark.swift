import Foundation
import SMTPDTestDouble

/// The rule counts of the line-protocol cases (at least one data rule, or filter-rules does
/// not register the data-line phase at all).
let lineRuleCounts = [1, 10, 100, 1_000, 10_000]

/// How many times each case is measured, round by round; the median is shown.
let lineRounds = 5

/// Runs the line mode: data lines per second through `filter-rules` speaking the line
/// protocol of OpenSMTPD 6.6+ (one socket as its stdin and stdout, as smtpd starts it),
/// each message a `data-line` request per line, echoed byte for byte, verdict at `commit`.
///
/// Every filter is started first (prefilter live); then the cases are measured in turn,
/// round after round, so that the machine's drift touches all of them alike, and each case
/// shows its median round. Takes the rules mode's options (`--filter`, `--seconds` per
/// case and round, `--quick`).
func runLineBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    let message = SampleMessage(targetBytes: benchmarkMessageBytes)
    let lines = message.wireLines
    print("filter: \(options.filter)")
    print(
        "message: \(grouped(lines.count)) lines, \(grouped(message.bytes.count)) bytes, protocol 0.6, "
            + "\(lineRounds) rounds of at least \(fixed(options.secondsPerCase, 1)) s per case, median shown")
    print("")
    let echoFilter = FilterProcess.builtExecutable(named: "line-echo-filter")
    // The reference first (a minimal C filter, Benchmarks/line-echo-filter), then filter-rules
    // with its prefilter live; 10,000 rules also with it off would take minutes a message.
    var cases: [LineCase] = []
    var keep: [AnyObject] = []
    for count in [0] + lineRuleCounts {
        let rules = try TemporaryFile(SpamRules.file(count: count), name: "rules.conf")
        let cache = try TemporaryDirectory()
        keep += [rules, cache]
        let process =
            count == 0
            ? try FilterProcess(executable: echoFilter, name: "line-echo-filter", channelOnStandardOutput: true)
            : try FilterProcess(
                executable: options.filter, name: "filter-rules",
                arguments: [rules.path, "-v", "--prefilter-cache", cache.path], channelOnStandardOutput: true)
        let smtpd = LineDaemonDouble(process: process)
        guard try smtpd.handshake().contains("register|filter|smtp-in|data-line") else {
            throw BenchmarkFailure("filter-rules did not register the data-line phase")
        }
        if count > 0 { try waitForStderr(process, "prefilter live for dataline", timeout: 300) }
        try smtpd.report("link-connect", session: 1, parameters: "client.example|pass|192.0.2.7:40000|192.0.2.1:25")
        cases.append(LineCase(ruleCount: count, smtpd: smtpd, path: rules.path, lines: lines, session: 1))
    }
    for _ in 0..<lineRounds {
        for index in cases.indices {
            try cases[index].measure(lineCount: lines.count, session: 1, seconds: options.secondsPerCase)
        }
    }
    print(
        "| dataline rules | messages | data lines/s (median) | range of the rounds | MiB/s | vs. 1 rule | vs. line-echo-filter "
            + "| µs per message: echo, commit |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    let echo = cases[0].median
    let baseline = cases[1].median
    let bytesPerLine = Double(message.bytes.count) / Double(lines.count)
    for item in cases {
        let name = item.ruleCount == 0 ? "line-echo-filter" : grouped(item.ruleCount)
        let sorted = item.rates.sorted()
        print(
            "| \(name) | \(item.messages) | \(grouped(Int(item.median))) | \(grouped(Int(sorted.first!)))–\(grouped(Int(sorted.last!))) "
                + "| \(fixed(item.median * bytesPerLine / 1_048_576, 1)) "
                + "| \(item.ruleCount == 0 ? "–" : fixed(item.median / baseline, 3)) | \(fixed(item.median / echo, 3)) "
                + "| \(Int(item.echoSeconds * 1e6 / Double(item.messages))), \(Int(item.commitSeconds * 1e6 / Double(item.messages))) |")
    }
}
