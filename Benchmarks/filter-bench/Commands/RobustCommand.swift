import ArgumentParser

/// `filter-bench robust`: what idle sessions and a daemon that does not read cost filter-rules.
struct RobustCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "robust",
        abstract: """
            HELO latency with 60,000 idle sessions, resident memory per idle session, and memory \
            growth while the daemon does not read (before/after with --baseline).
            """
    )

    @OptionGroup var filter: FilterRulesOption

    @Option(help: ArgumentHelp("Another filter-rules build, measured first, for before/after ratios from one run.", valueName: "path"))
    var baseline: String?

    @Option(help: ArgumentHelp("Idle sessions (default: 60,000; 5,000 with --quick).", valueName: "n"))
    var sessions: Int?

    @Option(help: ArgumentHelp("Seconds the daemon sends without reading (default: 10; 2 with --quick).", valueName: "s"))
    var seconds: Double?

    @Flag(help: "Fewer sessions and queries, a shorter unread phase.")
    var quick = false

    func validate() throws {
        if let sessions, sessions <= 0 { throw ValidationError("--sessions must be at least 1") }
    }

    func measure() throws {
        var options = RobustOptions(quick: quick)
        filter.apply(to: &options.filter)
        options.baseline = baseline
        if let sessions { options.sessions = sessions }
        if let seconds { options.unreadSeconds = seconds }
        try runRobustBenchmark(options)
    }
}
