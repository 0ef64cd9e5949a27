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

    @OptionGroup var filter: FilterRulesOption

    @Option(help: ArgumentHelp("Seconds of data phase per case, at least (default: 1.5; 0.3 with --quick).", valueName: "s"))
    var seconds: Double?

    @Flag(help: "Shorter cases and 3 compile runs instead of 5.")
    var quick = false

    func measure() throws {
        var options = RulesOptions(quick: quick)
        filter.apply(to: &options.filter)
        if let seconds { options.secondsPerCase = seconds }
        try runRulesBenchmark(options)
    }
}
