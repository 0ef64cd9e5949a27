import ArgumentParser

/// `filter-bench compile`: the compile times alone (the end of the rules mode).
struct CompileCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "In process: the compile (parse, PCRE2 compile and JIT) and parse times of 1,000 and 10,000 rules."
    )

    @Flag(help: "3 compile runs instead of 5.")
    var quick = false

    func measure() throws {
        try printCompileTimes(RulesOptions(quick: quick))
    }
}
