import CVectorscan
import Synchronization

/// Scratch spaces for scanning a set of databases, handed out one per scan so that any
/// number of threads can scan at once. One scratch serves every database of the set
/// (`hs_alloc_scratch` grows a scratch to fit each database it is given).
final class ScratchPool: @unchecked Sendable {
    // Unchecked: `prototype` is only cloned after init; the spaces are handed out one per
    // scan by the lock.
    private let prototype: OpaquePointer
    private let pool = Mutex<[ScanScratch]>([])

    /// A pool for scanning `databases`; the library's error when it cannot make a scratch.
    init(for databases: [VectorscanDatabase]) throws(VectorscanError) {
        var scratch: OpaquePointer?
        for database in databases {
            let code = cvectorscan_alloc_scratch(database.handle, &scratch)
            guard code == HS_SUCCESS else {
                if let scratch { cvectorscan_free_scratch(scratch) }
                throw VectorscanError(call: "hs_alloc_scratch", code: code)
            }
        }
        guard let scratch else { throw VectorscanError("no database to make a scratch for") }
        prototype = scratch
    }

    deinit {
        pool.withLock { scratches in scratches.removeAll() }
        cvectorscan_free_scratch(prototype)
    }

    /// A scratch for one scan, with no hits; nil when none could be made.
    func take() -> ScanScratch? {
        if let scratch = pool.withLock({ $0.popLast() }) {
            scratch.hits.removeAll(keepingCapacity: true)
            return scratch
        }
        var space: OpaquePointer?
        guard cvectorscan_clone_scratch(prototype, &space) == HS_SUCCESS, let space else { return nil }
        return ScanScratch(space: space)
    }

    /// Gives a scratch taken with ``take()`` back.
    func give(_ scratch: ScanScratch) {
        pool.withLock { $0.append(scratch) }
    }
}

/// One scan's scratch space and the ids it found; used by one thread at a time.
// Unchecked: it passes between threads only through the pool's lock, and is used by the
// thread that took it until it is given back.
final class ScanScratch: @unchecked Sendable {
    /// Vectorscan's scratch space.
    let space: OpaquePointer
    /// The ids of the patterns the scans found (rule positions once the index has mapped
    /// them). Unchecked exclusivity: the scratch is used by one thread at a time (see
    /// above) and the array is written for every match Vectorscan reports, where the
    /// runtime's checks cost more than the append.
    @exclusivity(unchecked) var hits: [UInt32] = []

    init(space: OpaquePointer) {
        self.space = space
        hits.reserveCapacity(16)
    }

    deinit { cvectorscan_free_scratch(space) }
}
