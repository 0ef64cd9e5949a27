import ArgumentParser

/// `filter-bench evaluate`: the evaluator's throughput in process.
struct EvaluateCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "In process: message lines per second through the evaluator with 10, 100 and 1,000 dataline rules."
    )

    @Option(help: ArgumentHelp("Seconds per case, at least (default: 1; 0.3 with --quick).", valueName: "s"))
    var seconds: Double?

    @Option(help: ArgumentHelp("Measure only this many dataline rules.", valueName: "n"))
    var rules: Int?

    @Flag(help: "Match through the Vectorscan prefilter (built before measuring).")
    var prefilter = false

    @Flag(help: "Shorter cases.")
    var quick = false

    func measure() throws {
        var options = EvaluateOptions(quick: quick)
        if let seconds { options.secondsPerCase = seconds }
        if let rules { options.ruleCounts = [rules] }
        options.prefilter = prefilter
        try runEvaluatorBenchmark(options)
    }
}
