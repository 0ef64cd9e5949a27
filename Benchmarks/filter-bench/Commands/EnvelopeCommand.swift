import ArgumentParser

/// `filter-bench envelope`: RCPT answer latency with many sessions and rcpt rules.
struct EnvelopeCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "envelope",
        abstract: "RCPT answer latency (p50, p99, largest) with 1,000 sessions and 1,000 rcpt rules, prefilter off and live."
    )

    @OptionGroup var filter: FilterRulesOption

    @Option(help: ArgumentHelp(
        "Seconds of RCPT queries per case; at least 1 s and 2,000 queries are measured (default: 1.5; 0.3 with --quick).",
        valueName: "s"))
    var seconds: Double?

    @Flag(help: "Shorter cases.")
    var quick = false

    func measure() throws {
        var options = RulesOptions(quick: quick)
        filter.apply(to: &options.filter)
        if let seconds { options.secondsPerCase = seconds }
        try runEnvelopeLatencyBenchmark(options)
    }
}
