/// A stage's prefilter as it stands at one moment: the databases live (the literal stage
/// and the regex parts built so far) and the positions of the rules none of them covers
/// (always tried with PCRE2). Immutable; a newer one is published as parts go live.
final class PrefilterIndex: @unchecked Sendable {
    // Unchecked: `scanned` is written in init and only read after, by any thread; the
    // rest is immutable Sendable state.
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
    /// ``databases`` as the scan reads them: the library's handles and the id-to-position
    /// tables, in memory this index owns (the databases and tables stay alive with it).
    /// Reading them through Swift references and arrays retained and released each one
    /// for every input (callgrind, filter-bench line).
    private let scanned: UnsafeMutableBufferPointer<ScannedDatabase>

    private struct ScannedDatabase {
        var handle: OpaquePointer
        var positions: UnsafeMutablePointer<UInt32>?
    }

    /// An index of `databases` (at least one).
    init(databases: [LiveDatabase], alwaysTried: [Int], requiredBytes: [Int: ByteSet] = [:]) throws(VectorscanError) {
        self.databases = databases
        self.alwaysTried = alwaysTried
        self.alwaysTriedBytes = alwaysTried.map { requiredBytes[$0] }
        self.filtersAlwaysTried = alwaysTriedBytes.contains { $0 != nil }
        self.scratches = try ScratchPool(for: databases.map(\.database))
        scanned = .allocate(capacity: databases.count)
        for (index, live) in databases.enumerated() {
            var positions: UnsafeMutablePointer<UInt32>?
            if let table = live.positions {
                positions = .allocate(capacity: max(table.count, 1))
                positions!.initialize(from: table, count: table.count)
            }
            (scanned.baseAddress! + index).initialize(to: ScannedDatabase(handle: live.database.handle, positions: positions))
        }
    }

    deinit {
        for database in scanned { database.positions?.deallocate() }
        scanned.deallocate()
    }

    /// Scans `subject` with every database into a scratch whose ``ScanScratch/found``
    /// holds the position of every rule found (possibly more than once, in no order); nil
    /// when a scan failed (the caller then tries every rule). Give the scratch back with
    /// ``giveBack(_:)``.
    func scan(_ subject: UnsafeRawBufferPointer) -> Unmanaged<ScanScratch>? {
        guard let taken = scratches.take() else { return nil }
        let scannedAll = taken._withUnsafeGuaranteedRef { scratch -> Bool in
            for database in scanned {
                let before = scratch.count
                guard VectorscanDatabase.scan(database.handle, subject, with: scratch) else { return false }
                if let positions = database.positions {
                    for index in before..<scratch.count { scratch.hits[index] = positions[Int(scratch.hits[index])] }
                }
            }
            return true
        }
        guard scannedAll else {
            scratches.give(taken)
            return nil
        }
        return taken
    }

    /// Gives back a scratch ``scan(_:)`` returned.
    func giveBack(_ scratch: Unmanaged<ScanScratch>) { scratches.give(scratch) }

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
