import ArgumentParser

/// A mode of filter-bench: its command runs the benchmark, and a failed check prints
/// `filter-bench: FAILED: …` and exits 1, as the figures would be meaningless.
protocol BenchmarkMode: ParsableCommand {
    /// Runs the mode's benchmark with the parsed options.
    func measure() throws
}

extension BenchmarkMode {
    func run() throws {
        do {
            try measure()
        } catch {
            print("filter-bench: FAILED: \(error)")
            throw ExitCode.failure
        }
    }
}
