import Synchronization

/// The databases built or loaded for the rule sets of one ``PrefilterOptions`` (one serving
/// filter, across its reloads), by key, so that a reload reuses the ones whose patterns did
/// not change without reading the disk cache or compiling. Held weakly: a database no rule
/// set uses any more is freed as before.
final class LiveDatabases: Sendable {
    private struct Entry {
        var key: [UInt8]
        weak var database: VectorscanDatabase?
    }

    private let entries = Mutex<[UInt64: [Entry]]>([:])

    /// The database of `key` if one is alive.
    func find(_ key: [UInt8]) -> VectorscanDatabase? {
        let hash = PrefilterCache.checksum(key)
        return entries.withLock { entries in entries[hash]?.first { $0.key == key }?.database }
    }

    /// Remembers `database` as the one of `key`; forgets the dead.
    func remember(_ database: VectorscanDatabase, for key: [UInt8]) {
        let hash = PrefilterCache.checksum(key)
        entries.withLock { entries in
            entries = entries.compactMapValues { list in
                let alive = list.filter { $0.database != nil }
                return alive.isEmpty ? nil : alive
            }
            entries[hash, default: []].append(Entry(key: key, database: database))
        }
    }
}
