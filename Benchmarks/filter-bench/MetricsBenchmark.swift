// The metrics mode (issue 26): what the metrics endpoint costs the filter. The same
// filter-rules twice, without and with `--metrics`, the second scraped every second as a
// Prometheus would (15 s is usual: once a second is the harder case), measured in
// interleaved rounds: data lines per second on the line protocol with 1,000 dataline
// rules, and RCPT answer latency on filter API 52 with 1,000 sessions and 1,000 rcpt rules.
import Foundation
import SMTPDTestDouble
import TestSupport

/// Scrapes 127.0.0.1:`port` once a second on a thread of its own until stopped; counts the
/// scrapes that were answered 200.
final class BackgroundScraper: @unchecked Sendable {
    // @unchecked: `stopped` and `answered` are only touched under `lock`.
    private let lock = NSLock()
    private var stopped = false
    private var answered = 0
    private let done = DispatchSemaphore(value: 0)

    /// Starts scraping `port`.
    init(port: Int) {
        Thread.detachNewThread { [self] in
            while !lock.withLock({ stopped }) {
                if (try? httpGet(port: port, timeout: 2))?.status == 200 { lock.withLock { answered += 1 } }
                usleep(1_000_000)
            }
            done.signal()
        }
    }

    /// Stops scraping; the scrapes answered.
    func stop() -> Int {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock { answered }
    }
}

/// How many rounds each case of the metrics mode is measured in.
let metricsRounds = 6

/// Runs the metrics mode (takes the rules mode's options).
func runMetricsBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    print("filter: \(options.filter)")
    print("metrics on: --metrics 127.0.0.1:PORT, scraped once a second during the measurement")
    print("")
    // Each pair is started twice, off first and on first: in trial runs the filter started
    // first of the two came out up to 1.2x slower on the line protocol, whichever it was
    // (both from the same cache, rounds in either order). The geometric mean of the two
    // ratios cancels that.
    var lineRatios: [Double] = [], p99Ratios: [Double] = []
    for onFirst in [false, true] { lineRatios.append(try measureLinesWithMetrics(options, onFirst: onFirst)) }
    for onFirst in [false, true] { p99Ratios.append(try measureEnvelopeWithMetrics(options, onFirst: onFirst)) }
    print(
        "Metrics on vs. off, geometric mean of both start orders: data lines/s \(fixed((lineRatios[0] * lineRatios[1]).squareRoot(), 3)), "
            + "RCPT p99 \(fixed((p99Ratios[0] * p99Ratios[1]).squareRoot(), 3))")
}

/// Data lines per second, 1,000 dataline rules, metrics off and on (started in that order,
/// or on first); the ratio on/off.
private func measureLinesWithMetrics(_ options: RulesOptions, onFirst: Bool) throws -> Double {
    let message = SampleMessage(targetBytes: benchmarkMessageBytes)
    let lines = message.wireLines
    let rules = try TemporaryFile(SpamRules.file(count: 1_000), name: "rules.conf")
    let cache = try TemporaryDirectory()
    let port = try freeLoopbackPort()
    // Both filters load their databases from the cache, filled by a first one.
    try warmPrefilterCache(options.filter, [rules.path, "-v", "--prefilter-cache", cache.path], stage: "dataline", lineProtocol: true)
    var cases: [LineCase] = [], metricsOn: [Bool] = []
    for metrics in onFirst ? [true, false] : [false, true] {
        metricsOn.append(metrics)
        var arguments = [rules.path, "-v", "--prefilter-cache", cache.path]
        if metrics { arguments += ["--metrics", "127.0.0.1:\(port)"] }
        let process = try FilterProcess(executable: options.filter, name: "filter-rules", arguments: arguments, channelOnStandardOutput: true)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        try waitForStderr(process, "prefilter live for dataline", timeout: 300)
        try smtpd.report("link-connect", session: 1, parameters: "client.example|pass|192.0.2.7:40000|192.0.2.1:25")
        cases.append(LineCase(ruleCount: 1_000, smtpd: smtpd, path: rules.path, lines: lines, session: 1))
    }
    let scraper = BackgroundScraper(port: port)
    // Each round in the other order (the first case, then the second; then the second first).
    for round in 0..<metricsRounds {
        for index in round % 2 == 0 ? [0, 1] : [1, 0] {
            try cases[index].measure(lineCount: lines.count, session: 1, seconds: options.secondsPerCase)
        }
    }
    let scrapes = scraper.stop()
    // Without an answered scrape the "on" filter had no endpoint (a port taken meanwhile):
    // the run would compare off with off.
    guard scrapes > 0 else { throw BenchmarkFailure("no scrape of 127.0.0.1:\(port) was answered") }
    print(
        "Line protocol (0.6), 1,000 dataline rules, started \(onFirst ? "on" : "off") first, \(metricsRounds) rounds in alternating order, "
            + "median; \(scrapes) scrapes answered")
    print("")
    print("| metrics | messages | data lines/s (median) | range of the rounds |")
    print("| --- | ---: | ---: | ---: |")
    for (index, item) in cases.enumerated() {
        let sorted = item.rates.sorted()
        print(
            "| \(metricsOn[index] ? "on" : "off") | \(item.messages) | \(grouped(Int(item.median))) "
                + "| \(grouped(Int(sorted.first!)))–\(grouped(Int(sorted.last!))) |")
    }
    let on = cases[metricsOn.firstIndex(of: true)!].median, off = cases[metricsOn.firstIndex(of: false)!].median
    print("")
    print("on vs. off: \(fixed(on / off, 3))")
    print("")
    return on / off
}

/// RCPT answer latency, filter API 52, 1,000 sessions and 1,000 rcpt rules, metrics off and
/// on (started in that order, or on first); the p99 ratio on/off.
private func measureEnvelopeWithMetrics(_ options: RulesOptions, onFirst: Bool) throws -> Double {
    let rules = (0..<1_000).map { "rcpt /^(?:user\($0)|role\($0)-[a-z]+)@example\\.(?:org|net)$/i reject\n" }.joined()
    let file = try TemporaryFile(rules, name: "rules.conf")
    let cache = try TemporaryDirectory()
    let port = try freeLoopbackPort()
    try warmPrefilterCache(options.filter, ["-v", file.path, "--prefilter-cache", cache.path], stage: "rcpt", lineProtocol: false)
    var cases: [EnvelopeCase] = []
    for metrics in onFirst ? [true, false] : [false, true] {
        var arguments = ["-v", file.path, "--prefilter-cache", cache.path]
        if metrics { arguments += ["--metrics", "127.0.0.1:\(port)"] }
        let process = try FilterProcess(executable: options.filter, name: "rules", arguments: arguments)
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
        try waitForStderr(process, "prefilter live for rcpt", timeout: 120)
        let sessions = (0..<1_000).map { UInt64(0x9000 + $0) }
        for session in sessions {
            try expectAccepted(smtpd.connect(session: session), "CONNECT")
            try smtpd.event(.txBegin, session: session)
            try expectAccepted(smtpd.ask(.mail, session: session, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "example.org")), "MAIL")
        }
        cases.append(EnvelopeCase(setting: metrics ? "on" : "off", smtpd: smtpd, sessions: sessions))
    }
    let scraper = BackgroundScraper(port: port)
    for round in 0..<metricsRounds {
        for index in round % 2 == 0 ? [0, 1] : [1, 0] { try cases[index].measure(seconds: max(options.secondsPerCase, 1)) }
    }
    let scrapes = scraper.stop()
    // Without an answered scrape the "on" filter had no endpoint (a port taken meanwhile):
    // the run would compare off with off.
    guard scrapes > 0 else { throw BenchmarkFailure("no scrape of 127.0.0.1:\(port) was answered") }
    print(
        "Filter API 52, RCPT with 1,000 sessions and 1,000 rcpt rules (prefilter live), started \(onFirst ? "on" : "off") first, "
            + "\(metricsRounds) rounds in alternating order; \(scrapes) scrapes answered")
    print("")
    print("| metrics | queries | p50 | p99 |")
    print("| --- | ---: | ---: | ---: |")
    for item in cases {
        let (p50, p99) = item.percentiles()
        print("| \(item.setting) | \(grouped(item.samples.count)) | \(fixed(p50 * 1e6, 0)) µs | \(fixed(p99 * 1e6, 0)) µs |")
    }
    let on = cases.first { $0.setting == "on" }!.percentiles(), off = cases.first { $0.setting == "off" }!.percentiles()
    print("")
    print("on vs. off: p50 \(fixed(on.p50 / off.p50, 3)), p99 \(fixed(on.p99 / off.p99, 3))")
    print("")
    return on.p99 / off.p99
}

/// Starts `filter` with `arguments` until its prefilter for `stage` is live (built and
/// written to the cache the arguments name); it is killed when the process object goes.
private func warmPrefilterCache(_ filter: String, _ arguments: [String], stage: String, lineProtocol: Bool) throws {
    let process = try FilterProcess(executable: filter, name: "rules", arguments: arguments, channelOnStandardOutput: lineProtocol)
    if lineProtocol {
        _ = try LineDaemonDouble(process: process).handshake()
    } else {
        _ = try SMTPDDouble(process: process).register(name: "rules")
    }
    try waitForStderr(process, "prefilter live for \(stage)", timeout: 300)
}
