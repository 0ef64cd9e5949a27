import ArgumentParser

/// `filter-bench reload-one`: how soon a changed rule decides after SIGHUP.
struct ReloadOneCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "reload-one",
        abstract: """
            Time from SIGHUP until a changed rule decides: 10,000 mixed dataline rules, prefilter built, \
            one literal rule and one literal-less rule changed, 3 times each.
            """
    )

    @OptionGroup var filter: FilterRulesOption

    func measure() throws {
        var options = RulesOptions()
        filter.apply(to: &options.filter)
        try runReloadOneBenchmark(filter: options.filter)
    }
}
