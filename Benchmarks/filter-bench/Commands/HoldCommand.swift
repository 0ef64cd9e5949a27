import ArgumentParser

/// `filter-bench hold`: what holding messages until their verdict costs filter-rules.
struct HoldCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: """
            Data lines per second with and without a body add-header rule (held messages), and \
            the resident memory of 100 sessions holding a 1 MiB message each.
            """
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runHoldBenchmark(timing.rulesOptions())
    }
}
