/// A stage's prefilter as it stands at one moment: the databases live (the literal stage
/// and the regex parts built so far) and the positions of the rules none of them covers
/// (always tried with PCRE2). Immutable; a newer one is published as parts go live.
final class PrefilterIndex: Sendable {
    /// One live database and how its ids map to rule positions.
    struct LiveDatabase: Sendable {
        /// The database.
        var database: VectorscanDatabase
        /// The position of each id's rule; nil when ids are positions.
        var positions: [UInt32]?
    }

    /// The databases, scanned in turn.
    let databases: [LiveDatabase]
    /// Positions of the rules outside every database, ascending.
    let alwaysTried: [Int]
    /// For each entry of ``alwaysTried``, the bytes one of which a subject must have for the
    /// rule to be tried (``PrefilterPlan/requiredBytes``), nil for none known.
    let alwaysTriedBytes: [ByteSet?]
    /// Whether any entry of ``alwaysTriedBytes`` is set.
    let filtersAlwaysTried: Bool
    /// Scratch spaces fitting every database.
    private let scratches: ScratchPool

    /// An index of `databases` (at least one).
    init(databases: [LiveDatabase], alwaysTried: [Int], requiredBytes: [Int: ByteSet] = [:]) throws(VectorscanError) {
        self.databases = databases
        self.alwaysTried = alwaysTried
        self.alwaysTriedBytes = alwaysTried.map { requiredBytes[$0] }
        self.filtersAlwaysTried = alwaysTriedBytes.contains { $0 != nil }
        self.scratches = try ScratchPool(for: databases.map(\.database))
    }

    /// Scans `subject` with every database and calls `body` with a scratch whose
    /// ``ScanScratch/hits`` holds the position of every rule found (possibly more than
    /// once, in no order); nil when a scan failed (the caller then tries every rule).
    func scan<R>(_ subject: UnsafeRawBufferPointer, _ body: (ScanScratch?) -> R) -> R {
        guard let scratch = scratches.take() else { return body(nil) }
        defer { scratches.give(scratch) }
        for live in databases {
            let before = scratch.hits.count
            guard live.database.scan(subject, with: scratch) else { return body(nil) }
            if let positions = live.positions {
                for index in before..<scratch.hits.count { scratch.hits[index] = positions[Int(scratch.hits[index])] }
            }
        }
        return body(scratch)
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
