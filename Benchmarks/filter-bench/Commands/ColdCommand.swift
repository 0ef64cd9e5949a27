import ArgumentParser

/// `filter-bench cold`: filter-rules started with 10,000 mixed rules and an empty prefilter cache.
struct ColdCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "cold",
        abstract: """
            filter-rules started cold on the line protocol with 10,000 mixed dataline rules: time until \
            every rule is enforced by a prefilter stage and until the prefilter is built, data lines per \
            second in the first 2 s and after the build (vs. 0 rules), messages over the time limit.
            """,
        discussion: "--seconds is the length of each of the 5 interleaved rounds after the build; the first window is always 2 s."
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runColdBenchmark(timing.rulesOptions())
    }
}
