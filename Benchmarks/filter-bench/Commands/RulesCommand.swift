import ArgumentParser

/// `filter-bench rules`: data lines per second through filter-rules, and compile times.
struct RulesCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: """
            Data lines per second through `filter-rules serve` with 0, 10, 100 and 1,000 dataline \
            rules, and the in-process compile time of 1,000 and 10,000 rules.
            """
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runRulesBenchmark(timing.rulesOptions())
    }
}
