import ArgumentParser

/// A comma-separated list of rule counts (`--rules 0,1000`).
struct RuleCountList: ExpressibleByArgument {
    /// The counts, in the order given.
    let counts: [Int]

    init?(argument: String) {
        let counts = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        self.counts = counts.compactMap { $0 }
    }
}
