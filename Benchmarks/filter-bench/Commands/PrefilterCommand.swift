import ArgumentParser

/// `filter-bench prefilter`: data lines per second with the Vectorscan prefilter off and on.
struct PrefilterCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "prefilter",
        abstract: """
            Data lines per second with 0 to 10,000 dataline rules, the Vectorscan prefilter off \
            and on, beside a plain Vectorscan scan; time to register and until the prefilter is \
            live, cold and from the cache; resident memory.
            """
    )

    @OptionGroup var timing: TimedCaseOptions

    @Option(
        help: ArgumentHelp(
            "The dataline rule counts to measure, the first the baseline (default: 0,10,100,1000,10000).",
            valueName: "n,n..."))
    var rules: RuleCountList?

    func measure() throws {
        var options = timing.rulesOptions()
        options.ruleCounts = rules?.counts
        try runPrefilterBenchmark(options)
    }
}
