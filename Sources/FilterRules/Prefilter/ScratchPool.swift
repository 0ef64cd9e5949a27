import CVectorscan
import Synchronization

/// Scratch spaces for scanning a set of databases, handed out one per scan so that any
/// number of threads can scan at once. One scratch serves every database of the set
/// (`hs_alloc_scratch` grows a scratch to fit each database it is given).
final class ScratchPool: @unchecked Sendable {
    // Unchecked: `prototype` is only cloned after init; the spaces are handed out one per
    // scan, by the atomic slot or the lock.
    private let prototype: OpaquePointer
    /// One scratch kept aside for the common case, one thread scanning at a time (the
    /// content worker): taken and given back with one atomic exchange each instead of a
    /// lock and an array's push and pop (filter-bench line, callgrind: 66 instructions a
    /// line in `take`). Holds a retained reference.
    private let spare = Atomic<Unmanaged<ScanScratch>?>(nil)
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
        spare.exchange(nil, ordering: .acquiring)?.release()
        pool.withLock { scratches in scratches.removeAll() }
        cvectorscan_free_scratch(prototype)
    }

    /// A scratch for one scan, with no hits, retained for the caller; nil when none could
    /// be made. Give it back with ``give(_:)``.
    func take() -> Unmanaged<ScanScratch>? {
        if let scratch = spare.exchange(nil, ordering: .acquiring) {
            scratch._withUnsafeGuaranteedRef { $0.count = 0 }
            return scratch
        }
        if let scratch = pool.withLock({ $0.popLast() }) {
            scratch.count = 0
            return Unmanaged.passRetained(scratch)
        }
        var space: OpaquePointer?
        guard cvectorscan_clone_scratch(prototype, &space) == HS_SUCCESS, let space else { return nil }
        return Unmanaged.passRetained(ScanScratch(space: space))
    }

    /// Gives a scratch taken with ``take()`` back.
    func give(_ scratch: Unmanaged<ScanScratch>) {
        let (exchanged, _) = spare.compareExchange(expected: nil, desired: scratch, ordering: .acquiringAndReleasing)
        if exchanged { return }
        pool.withLock { $0.append(scratch.takeRetainedValue()) }
    }
}

/// One scan's scratch space and the ids it found; used by one thread at a time.
// Unchecked: it passes between threads only through the pool's atomic slot or lock, and is
// used by the thread that took it until it is given back.
final class ScanScratch: @unchecked Sendable {
    /// Vectorscan's scratch space.
    let space: OpaquePointer
    /// The ids the scans found (rule positions once the index has mapped them): the first
    /// ``count`` of ``capacity``. Raw memory rather than an array: Vectorscan's callback
    /// appends to it for every match, and the array's uniqueness and bounds checks, and
    /// `removeAll` per scan, cost more than the appends (callgrind, filter-bench line).
    private(set) var hits: UnsafeMutablePointer<UInt32>
    /// How many ids ``hits`` holds.
    var count = 0
    private var capacity = 16

    init(space: OpaquePointer) {
        self.space = space
        hits = .allocate(capacity: 16)
    }

    deinit {
        hits.deallocate()
        cvectorscan_free_scratch(space)
    }

    /// Appends `id`.
    @inline(__always)
    func append(_ id: UInt32) {
        if count == capacity { grow() }
        hits[count] = id
        count += 1
    }

    private func grow() {
        let larger = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity * 2)
        larger.update(from: hits, count: count)
        hits.deallocate()
        hits = larger
        capacity *= 2
    }

    /// The ids found, in place.
    var found: UnsafeMutableBufferPointer<UInt32> { UnsafeMutableBufferPointer(start: hits, count: count) }
}
