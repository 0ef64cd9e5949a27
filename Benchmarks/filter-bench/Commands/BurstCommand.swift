import ArgumentParser

/// `filter-bench burst`: the first and the last answer of a burst of queries on the line protocol.
struct BurstCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "burst",
        abstract: """
            Time to the first and to the last answer when 1,000 sessions send a RCPT query at once \
            (line protocol, one write), with 0 and 1,000 rcpt rules.
            """
    )

    @OptionGroup var filter: FilterRulesOption

    func measure() throws {
        var options = RulesOptions()
        filter.apply(to: &options.filter)
        try runBurstLatencyBenchmark(options)
    }
}
