import ArgumentParser

/// `filter-bench conditions`: list files and combined conditions, in process.
struct ConditionsCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "conditions",
        abstract: """
            In process: MAIL queries per second against list files of 10 and 100,000 entries, and \
            RCPT queries per second with 100 plain against 100 combined rules.
            """
    )

    @Option(help: ArgumentHelp("Seconds per case, at least (default: 1; 0.3 with --quick).", valueName: "s"))
    var seconds: Double?

    @Flag(help: "Shorter cases.")
    var quick = false

    func measure() throws {
        var options = EvaluateOptions(quick: quick)
        if let seconds { options.secondsPerCase = seconds }
        try runConditionBenchmark(options)
    }
}
