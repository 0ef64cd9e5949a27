import CVectorscan
#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// A compiled Vectorscan block-mode database of patterns, with a pool of scratch spaces
/// so that any number of threads can scan it at once. Immutable once made.
final class VectorscanDatabase: @unchecked Sendable {
    // Unchecked: `database` is read-only after init (Vectorscan allows concurrent scans of
    // one database); the scratch spaces are handed out one per scan by the pool's lock.
    private let database: OpaquePointer
    /// A scratch space made for the database, cloned for each concurrent scan.
    private let prototype: OpaquePointer
    private let pool = Mutex<[ScanScratch]>([])

    /// Compiles `patterns` into one database.
    /// - Throws: the library's error, naming the pattern it was about when it was one.
    convenience init(compiling patterns: [VectorscanPattern]) throws(VectorscanError) {
        let expressions = patterns.map { pattern in
            let bytes = pattern.expression.map { CChar(bitPattern: $0) } + [0]
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            pointer.initialize(from: bytes, count: bytes.count)
            return pointer
        }
        defer { for expression in expressions { expression.deallocate() } }
        var flags = patterns.map { UInt32($0.flags) }
        var ids = patterns.map { UInt32($0.id) }
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let code = expressions.map { UnsafePointer<CChar>?(UnsafePointer($0)) }.withUnsafeBufferPointer { pointers in
            cvectorscan_compile_multi(
                pointers.baseAddress, &flags, &ids, UInt32(patterns.count), UInt32(HS_MODE_BLOCK), nil,
                &database, &error)
        }
        if code != HS_SUCCESS || database == nil {
            var failure = VectorscanError(call: "hs_compile_multi", code: code)
            if let error {
                let index = Int(error.pointee.expression)
                failure = VectorscanError(String(cString: error.pointee.message), patternIndex: index >= 0 ? index : nil)
                cvectorscan_free_compile_error(error)
            }
            throw failure
        }
        try self.init(owning: database!)
    }

    /// Rebuilds a database from what ``serialized()`` made; fails on bytes another library
    /// version or platform made, or that are corrupt.
    convenience init(deserializing bytes: [UInt8]) throws(VectorscanError) {
        var database: OpaquePointer?
        let code = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cvectorscan_deserialize_database($0.baseAddress, $0.count, &database) }
        }
        guard code == HS_SUCCESS, let database else { throw VectorscanError(call: "hs_deserialize_database", code: code) }
        try self.init(owning: database)
    }

    private init(owning database: OpaquePointer) throws(VectorscanError) {
        var scratch: OpaquePointer?
        let code = cvectorscan_alloc_scratch(database, &scratch)
        guard code == HS_SUCCESS, let scratch else {
            cvectorscan_free_database(database)
            throw VectorscanError(call: "hs_alloc_scratch", code: code)
        }
        self.database = database
        self.prototype = scratch
    }

    deinit {
        pool.withLock { scratches in scratches.removeAll() }
        cvectorscan_free_scratch(prototype)
        cvectorscan_free_database(database)
    }

    /// The database as bytes for the disk cache.
    func serialized() throws(VectorscanError) -> [UInt8] {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        let code = cvectorscan_serialize_database(database, &bytes, &length)
        guard code == HS_SUCCESS, let bytes else { throw VectorscanError(call: "hs_serialize_database", code: code) }
        defer { free(bytes) }
        return bytes.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// The bytes the database takes in memory.
    var size: Int {
        var size = 0
        return cvectorscan_database_size(database, &size) == HS_SUCCESS ? size : 0
    }

    /// Scans `subject` and calls `body` with a scratch whose ``ScanScratch/hits`` holds the
    /// ids of every pattern that matched (each once, in the order found); nil when the scan
    /// failed (the caller then tries every rule).
    func scan<R>(_ subject: UnsafeRawBufferPointer, _ body: (ScanScratch?) -> R) -> R {
        guard subject.count <= Int(UInt32.max), let scratch = takeScratch() else { return body(nil) }
        defer { returnScratch(scratch) }
        scratch.hits.removeAll(keepingCapacity: true)
        let context = Unmanaged.passUnretained(scratch).toOpaque()
        let base = subject.baseAddress?.assumingMemoryBound(to: CChar.self)
        var empty: CChar = 0
        let code = withUnsafePointer(to: &empty) { fallback in
            cvectorscan_scan(
                database, base ?? fallback, UInt32(subject.count), 0, scratch.space,
                { id, _, _, _, context in
                    Unmanaged<ScanScratch>.fromOpaque(context!).takeUnretainedValue().hits.append(id)
                    return 0
                }, context)
        }
        return body(code == HS_SUCCESS ? scratch : nil)
    }

    private func takeScratch() -> ScanScratch? {
        if let scratch = pool.withLock({ $0.popLast() }) { return scratch }
        var space: OpaquePointer?
        guard cvectorscan_clone_scratch(prototype, &space) == HS_SUCCESS, let space else { return nil }
        return ScanScratch(space: space)
    }

    private func returnScratch(_ scratch: ScanScratch) {
        pool.withLock { $0.append(scratch) }
    }
}

/// One scan's scratch space and the ids it found; used by one thread at a time.
// Unchecked: it passes between threads only through the pool's lock, and is used by the
// thread that took it until it is returned.
final class ScanScratch: @unchecked Sendable {
    /// Vectorscan's scratch space.
    let space: OpaquePointer
    /// The ids of the patterns the last scan found. Unchecked exclusivity: the scratch is
    /// used by one thread at a time (see above) and the array is written for every match
    /// Vectorscan reports, where the runtime's checks cost more than the append.
    @exclusivity(unchecked) var hits: [UInt32] = []

    init(space: OpaquePointer) {
        self.space = space
        hits.reserveCapacity(16)
    }

    deinit { cvectorscan_free_scratch(space) }
}
