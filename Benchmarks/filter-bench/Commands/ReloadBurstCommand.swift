import ArgumentParser

/// `filter-bench reload-burst`: the CPU time of a burst of reloads against one.
struct ReloadBurstCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "reload-burst",
        abstract: """
            The CPU time of 100 SIGHUPs 100 ms apart with 10,000 rules (the file changed before \
            each) against one reload, and that the last file is in force.
            """
    )

    @OptionGroup var filter: FilterRulesOption

    @Flag(help: "20 SIGHUPs instead of 100.")
    var quick = false

    func measure() throws {
        var options = RulesOptions(quick: quick)
        filter.apply(to: &options.filter)
        try runReloadBurstBenchmark(options)
    }
}
