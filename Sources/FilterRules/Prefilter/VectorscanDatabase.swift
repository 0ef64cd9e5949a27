import CVectorscan
#if canImport(Glibc)
    import Glibc
#endif

/// A compiled Vectorscan block-mode database of regexes or literals. Immutable once made;
/// any number of threads may scan it at once, each with a scratch space of its own
/// (``ScratchPool``).
final class VectorscanDatabase: @unchecked Sendable {
    // Unchecked: `handle` is read-only after init, and Vectorscan allows concurrent scans
    // of one database.
    /// The library's database.
    let handle: OpaquePointer

    /// Compiles regex `patterns` into one database.
    /// - Throws: the library's error, naming the pattern it was about when it was one.
    convenience init(compiling patterns: [VectorscanPattern]) throws(VectorscanError) {
        let expressions = patterns.map { $0.expression + [0] }
        var flags = patterns.map { UInt32($0.flags) }
        var ids = patterns.map { UInt32($0.id) }
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let code = Self.withPointers(to: expressions) { pointers in
            cvectorscan_compile_multi(pointers, &flags, &ids, UInt32(patterns.count), UInt32(HS_MODE_BLOCK), nil, &database, &error)
        }
        try self.init(compiled: database, code: code, error: error, call: "hs_compile_multi")
    }

    /// Compiles `literals` into one database with Vectorscan's literal mode.
    /// - Throws: the library's error, naming the literal it was about when it was one.
    convenience init(compiling literals: [VectorscanLiteral]) throws(VectorscanError) {
        let bytes = literals.map(\.bytes)
        var lengths = literals.map { $0.bytes.count }
        var flags = literals.map { UInt32(HS_FLAG_SINGLEMATCH) | ($0.isCaseless ? UInt32(HS_FLAG_CASELESS) : 0) }
        var ids = literals.map(\.id)
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let code = Self.withPointers(to: bytes) { pointers in
            cvectorscan_compile_lit_multi(
                pointers, &flags, &ids, &lengths, UInt32(literals.count), UInt32(HS_MODE_BLOCK), nil, &database, &error)
        }
        try self.init(compiled: database, code: code, error: error, call: "hs_compile_lit_multi")
    }

    /// Rebuilds a database from what ``serialized()`` made; fails on bytes another library
    /// version or platform made, or that are corrupt.
    convenience init(deserializing bytes: [UInt8]) throws(VectorscanError) {
        var database: OpaquePointer?
        let code = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cvectorscan_deserialize_database($0.baseAddress, $0.count, &database) }
        }
        guard code == HS_SUCCESS, let database else { throw VectorscanError(call: "hs_deserialize_database", code: code) }
        self.init(owning: database)
    }

    /// The database a compile made, or its error (freed here).
    private convenience init(
        compiled database: OpaquePointer?, code: hs_error_t, error: UnsafeMutablePointer<hs_compile_error_t>?, call: String
    ) throws(VectorscanError) {
        guard code == HS_SUCCESS, let database else {
            var failure = VectorscanError(call: call, code: code)
            if let error {
                let index = Int(error.pointee.expression)
                failure = VectorscanError(String(cString: error.pointee.message), patternIndex: index >= 0 ? index : nil)
                cvectorscan_free_compile_error(error)
            }
            throw failure
        }
        self.init(owning: database)
    }

    private init(owning database: OpaquePointer) {
        self.handle = database
    }

    deinit {
        cvectorscan_free_database(handle)
    }

    /// Calls `body` with C pointers to `arrays` (alive during the call).
    private static func withPointers<R>(to arrays: [[UInt8]], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        let copies = arrays.map { array in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(array.count, 1))
            array.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { bytes in
                    if let base = bytes.baseAddress { pointer.initialize(from: base, count: array.count) }
                }
            }
            return pointer
        }
        defer { for copy in copies { copy.deallocate() } }
        let pointers = copies.map { UnsafePointer<CChar>?(UnsafePointer($0)) }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// The database as bytes for the disk cache.
    func serialized() throws(VectorscanError) -> [UInt8] {
        var bytes: UnsafeMutablePointer<CChar>?
        var length = 0
        let code = cvectorscan_serialize_database(handle, &bytes, &length)
        guard code == HS_SUCCESS, let bytes else { throw VectorscanError(call: "hs_serialize_database", code: code) }
        defer { free(bytes) }
        return bytes.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// The bytes the database takes in memory.
    var size: Int {
        var size = 0
        return cvectorscan_database_size(handle, &size) == HS_SUCCESS ? size : 0
    }

    /// Scans `subject` with the library's database `handle` (kept alive by the caller) and
    /// `scratch` (made for it, ``ScratchPool``), appending the id of every pattern that
    /// matched to the scratch's ``ScanScratch/hits``; whether the scan succeeded.
    @inline(__always)
    static func scan(_ handle: OpaquePointer, _ subject: UnsafeRawBufferPointer, with scratch: ScanScratch) -> Bool {
        guard subject.count <= Int(UInt32.max) else { return false }
        let context = Unmanaged.passUnretained(scratch).toOpaque()
        let base = subject.baseAddress?.assumingMemoryBound(to: CChar.self)
        var empty: CChar = 0
        let code = withUnsafePointer(to: &empty) { fallback in
            cvectorscan_scan(
                handle, base ?? fallback, UInt32(subject.count), 0, scratch.space,
                { id, _, _, _, context in
                    Unmanaged<ScanScratch>.fromOpaque(context!)._withUnsafeGuaranteedRef { $0.append(id) }
                    return 0
                }, context)
        }
        return code == HS_SUCCESS
    }
}
