import ArgumentParser

/// `filter-bench metrics`: what the metrics endpoint costs, data lines and envelope latency.
struct MetricsCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Data lines per second and RCPT latency through filter-rules with the metrics endpoint off and on (scraped every second).",
        discussion: "1,000 rules each; interleaved rounds; --seconds is per case and round."
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runMetricsBenchmark(timing.rulesOptions())
    }
}
