import ArgumentParser

/// `filter-bench envelope`: RCPT answer latency with many sessions and rcpt rules.
struct EnvelopeCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract: "RCPT answer latency (p50, p99, largest) with 1,000 sessions and 1,000 rcpt rules, prefilter off and live.",
        discussion: "A case is one prefilter setting; at least 1 s and 2,000 queries of it are measured."
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runEnvelopeLatencyBenchmark(timing.rulesOptions())
    }
}
