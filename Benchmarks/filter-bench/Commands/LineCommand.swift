import ArgumentParser

/// `filter-bench line`: data lines per second through filter-rules on the 6.6+ line protocol.
struct LineCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "line",
        abstract: """
            Data lines per second through filter-rules on the line protocol of OpenSMTPD 6.6+ \
            with 1 to 10,000 dataline rules.
            """,
        discussion: "Each rule count is measured in 5 interleaved rounds with line-echo-filter; --seconds is per case and round."
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runLineBenchmark(timing.rulesOptions())
    }
}
