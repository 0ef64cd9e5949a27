import ArgumentParser

/// `filter-bench pipe`, the default mode: the filter library's throughput, with filter-example.
struct PipeCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "pipe",
        abstract: """
            Queries answered per second (pipelined, 100 sessions) and message bytes per second \
            through the data pipe, with filter-example (a pass-through data-line filter). The default mode.
            """
    )

    @Option(
        help: ArgumentHelp(
            "The filter executable to drive (default: $FILTER_EXAMPLE_PATH, else filter-example beside filter-bench).",
            valueName: "path"))
    var filter: String?

    @Option(help: ArgumentHelp("Queries to answer (default: 200,000; 20,000 with --quick).", valueName: "n"))
    var queries: Int?

    @Option(help: ArgumentHelp("Megabytes of message data to send (default: 64; 8 with --quick).", valueName: "n"))
    var megabytes: Int?

    @Flag(help: "Fewer queries and megabytes.")
    var quick = false

    func measure() throws {
        var options = PipeOptions(quick: quick)
        if let filter { options.filter = filter }
        if let queries { options.queries = queries }
        if let megabytes { options.megabytes = megabytes }
        try runPipeBenchmark(options)
    }
}
