import ArgumentParser

/// `filter-bench envelope`: RCPT answer latency with many sessions and rcpt rules.
struct EnvelopeCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract:
            "RCPT answer latency (p50, p99, largest) with 1,000 sessions and 1,000 rcpt rules, prefilter off and live, against filter-example.",
        discussion:
            "A case is filter-example (the pass-through reference) or one prefilter setting; each is measured in 3 interleaved rounds of at least 1 s and 2,000 queries."
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runEnvelopeLatencyBenchmark(timing.rulesOptions())
    }
}
