import ArgumentParser

/// `filter-bench store`: what a limit costs the answers, and what a key of the embedded
/// store costs in memory.
struct StoreCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract:
            "RCPT answers (per second, p50, p99) with 1,000 sessions, without a limit and with one on the embedded store; memory per key at 1,000,000 keys.",
        discussion: "Each answer case is measured in 3 interleaved rounds of at least 1 s and 2,000 queries."
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runStoreBenchmark(timing.rulesOptions())
    }
}
