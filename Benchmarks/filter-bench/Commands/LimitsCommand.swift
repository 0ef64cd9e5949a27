import ArgumentParser

/// `filter-bench limits`: what catastrophic rules cost, in process.
struct LimitsCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract: """
            In process: the CPU time catastrophic body rules cost on crafted 95 KiB and 1 MiB \
            lines and on messages of such lines, and which limits they hit.
            """
    )

    @Flag(help: "Leave out the 1 MiB lines (they take seconds each without time limits).")
    var quick = false

    func measure() throws {
        try runLimitsBenchmark(LimitsOptions(quick: quick))
    }
}
