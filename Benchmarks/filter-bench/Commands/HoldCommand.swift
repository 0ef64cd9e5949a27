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

    @OptionGroup var filter: FilterRulesOption

    @Option(help: ArgumentHelp("Seconds of data phase per case, at least (default: 1.5; 0.3 with --quick).", valueName: "s"))
    var seconds: Double?

    @Flag(help: "Shorter cases.")
    var quick = false

    func measure() throws {
        var options = RulesOptions(quick: quick)
        filter.apply(to: &options.filter)
        if let seconds { options.secondsPerCase = seconds }
        try runHoldBenchmark(options)
    }
}
