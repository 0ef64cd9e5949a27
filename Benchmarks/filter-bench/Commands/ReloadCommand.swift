import ArgumentParser

/// `filter-bench reload`: RCPT answer latency while filter-rules reloads its rules.
struct ReloadCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "The largest RCPT answer latency while 10,000 rules are reloaded (SIGHUP, a changed file)."
    )

    @OptionGroup var filter: FilterRulesOption

    func measure() throws {
        var options = RulesOptions()
        filter.apply(to: &options.filter)
        try runReloadLatencyBenchmark(options)
    }
}
