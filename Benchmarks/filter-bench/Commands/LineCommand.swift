import ArgumentParser

/// `filter-bench line`: data lines per second through filter-rules on the 6.6+ line protocol.
struct LineCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "line",
        abstract: """
            Data lines per second through filter-rules on the line protocol of OpenSMTPD 6.6+ \
            with 1 to 10,000 dataline rules.
            """
    )

    @OptionGroup var filter: FilterRulesOption

    @Option(help: ArgumentHelp("Seconds per case and round, at least (default: 1.5; 0.3 with --quick).", valueName: "s"))
    var seconds: Double?

    @Flag(help: "Shorter rounds.")
    var quick = false

    func measure() throws {
        var options = RulesOptions(quick: quick)
        filter.apply(to: &options.filter)
        if let seconds { options.secondsPerCase = seconds }
        try runLineBenchmark(options)
    }
}
