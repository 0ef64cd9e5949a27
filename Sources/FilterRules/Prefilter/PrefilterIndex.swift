/// A stage's live prefilter: the database of the rules Vectorscan stands in for, and the
/// positions of the rules it does not (always tried with PCRE2).
final class PrefilterIndex: Sendable {
    /// The database; a pattern's id is its rule's position in the stage.
    let database: VectorscanDatabase
    /// Positions of the rules outside the database, ascending.
    let alwaysTried: [Int]
    /// How many rules the database covers.
    let coveredCount: Int

    init(database: VectorscanDatabase, alwaysTried: [Int], coveredCount: Int) {
        self.database = database
        self.alwaysTried = alwaysTried
        self.coveredCount = coveredCount
    }

    /// The index of the first entry of ``alwaysTried`` at or after `position`.
    func firstAlwaysTried(from position: Int) -> Int {
        var low = 0
        var high = alwaysTried.count
        while low < high {
            let middle = (low + high) / 2
            if alwaysTried[middle] < position { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
