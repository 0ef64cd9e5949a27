// The robust mode: what idle sessions and a daemon that does not read cost `filter-rules`
// (issue 10). HELO round-trip latency with 0 and 60,000 idle sessions on filter API 52,
// the resident memory per idle session on both protocols, and the growth of resident
// memory while a daemon sends queries for some seconds without reading the answers.
// With --baseline PATH the same cases run on a second build first, for before/after
// ratios from one run.
import SMTPDTestDouble

/// The options of the robust mode, as its command sets them.
struct RobustOptions {
    var filter = FilterProcess.builtExecutable(named: "filter-rules")
    var baseline: String?
    var sessions = 60_000
    var latencyQueries = 2_000
    var unreadSeconds = 10.0

    /// The defaults, or with `quick` the smaller and shorter cases of --quick.
    init(quick: Bool = false) {
        if quick { sessions = 5_000; latencyQueries = 300; unreadSeconds = 2 }
    }
}

/// One build's figures.
private struct RobustFigures {
    var idleLatency: LatencySummary
    var busyLatency: LatencySummary
    var v52BytesPerSession: Double
    var lineBytesPerSession: Double
    var unread: UnreadPeer.Result
}

/// Runs the robust mode.
func runRobustBenchmark(_ options: RobustOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    var builds: [(name: String, path: String)] = []
    if let baseline = options.baseline {
        try requireFilter(baseline, product: "filter-rules")
        builds.append(("before", baseline))
    }
    builds.append((options.baseline == nil ? "filter" : "after", options.filter))
    for build in builds { print("\(build.name): \(build.path)") }
    print(
        "idle sessions: \(grouped(options.sessions)); HELO round trips per case: \(grouped(options.latencyQueries)); "
            + "daemon not reading: \(fixed(options.unreadSeconds, 0)) s")
    print("")
    var figures: [RobustFigures] = []
    for build in builds {
        let rules = try TemporaryFile("helo /^spam$/ reject\nbody /^unsubscribe$/ reject\n", name: "rules.conf")
        let (idle, busy, v52Bytes) = try IdleSessions.v52(
            build.path, rules: rules.path, sessions: options.sessions,
            queries: options.latencyQueries)
        let lineBytes = try IdleSessions.line(build.path, rules: rules.path, sessions: options.sessions)
        let unread = try UnreadPeer.v52(build.path, rules: rules.path, seconds: options.unreadSeconds)
        figures.append(
            RobustFigures(
                idleLatency: idle, busyLatency: busy, v52BytesPerSession: v52Bytes,
                lineBytesPerSession: lineBytes, unread: unread))
    }
    let header = "| case | " + builds.map(\.name).joined(separator: " | ") + (builds.count > 1 ? " | after / before |" : " |")
    print(header)
    print("| --- |" + String(repeating: " ---: |", count: builds.count + (builds.count > 1 ? 1 : 0)))
    func row(_ name: String, _ values: [Double], _ format: (Double) -> String) {
        var line = "| \(name) | " + values.map(format).joined(separator: " | ")
        if values.count > 1 { line += " | \(fixed(values[1] / values[0], 3))" }
        print(line + " |")
    }
    let micro = { (value: Double) in fixed(value * 1e6, 0) + " µs" }
    row("HELO p50, no idle sessions", figures.map(\.idleLatency.p50), micro)
    row("HELO p99, no idle sessions", figures.map(\.idleLatency.p99), micro)
    row("HELO p50, \(grouped(options.sessions)) idle", figures.map(\.busyLatency.p50), micro)
    row("HELO p99, \(grouped(options.sessions)) idle", figures.map(\.busyLatency.p99), micro)
    row("HELO max, \(grouped(options.sessions)) idle", figures.map(\.busyLatency.maximum), micro)
    row("RSS per idle session, v52", figures.map(\.v52BytesPerSession)) { grouped(Int($0.rounded())) + " B" }
    row("RSS per idle session, line", figures.map(\.lineBytesPerSession)) { grouped(Int($0.rounded())) + " B" }
    row("queries sent, daemon not reading", figures.map { Double($0.unread.queries) }) { grouped(Int($0)) }
    row("RSS at start, daemon not reading", figures.map { Double($0.unread.startKiB) }) { fixed($0 / 1024, 1) + " MiB" }
    row("RSS at end, daemon not reading", figures.map { Double($0.unread.endKiB) }) { fixed($0 / 1024, 1) + " MiB" }
}

/// Latency percentiles of a series of round trips, in seconds.
struct LatencySummary {
    var p50: Double
    var p99: Double
    var maximum: Double

    init(_ samples: [Double]) {
        let sorted = samples.sorted()
        p50 = sorted[sorted.count / 2]
        p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        maximum = sorted.last!
    }
}
