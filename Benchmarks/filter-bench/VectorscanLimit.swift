import CVectorscan
#if canImport(Glibc)
    import Glibc
#endif
import FilterRules

/// The limit of the prefilter: the same rules' regexes as one plain Vectorscan block-mode
/// database (straight through the C API, not through filter-rules' Swift wrapper), every line of
/// the message scanned once, in process. Regexes Vectorscan refuses are left out (filter-
/// rules tries them with PCRE2).
enum VectorscanLimit {
    /// Lines per second scanning `lines` for `minimumSeconds`, and how many of the rules
    /// went into the database.
    static func measure(rules text: String, lines: [[UInt8]], minimumSeconds: Double) throws -> (linesPerSecond: Double, patterns: Int) {
        if let reason = Vectorscan.unavailableReason { throw BenchmarkFailure(reason) }
        let parsed = try RuleSetLoader.parse(text: text, file: "limit.rules")
        var expressions: [[CChar]] = []
        var flags: [UInt32] = []
        for rule in parsed.rules {
            guard case .regex(let source, let regexFlags, _) = rule.pattern else { continue }
            var bits = UInt32(HS_FLAG_SINGLEMATCH)
            if regexFlags.contains(.caseless) { bits |= UInt32(HS_FLAG_CASELESS) }
            let expression = source.utf8.map { CChar(bitPattern: $0) } + [0]
            var info: UnsafeMutablePointer<hs_expr_info_t>?
            var error: UnsafeMutablePointer<hs_compile_error_t>?
            if cvectorscan_expression_info(expression, bits, &info, &error) == HS_SUCCESS {
                expressions.append(expression)
                flags.append(bits)
            }
            if let error { cvectorscan_free_compile_error(error) }
            free(info)
        }
        guard !expressions.isEmpty else { return (0, 0) }
        var database: OpaquePointer?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        var ids = (0..<UInt32(expressions.count)).map { $0 }
        let pointers = expressions.map { expression in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: expression.count)
            copy.initialize(from: expression, count: expression.count)
            return UnsafePointer<CChar>?(copy)
        }
        defer { for pointer in pointers { UnsafeMutablePointer(mutating: pointer!).deallocate() } }
        guard
            cvectorscan_compile_multi(
                pointers, &flags, &ids, UInt32(expressions.count), UInt32(HS_MODE_BLOCK), nil,
                &database, &error) == HS_SUCCESS, let database
        else {
            throw BenchmarkFailure("Vectorscan refused the set")
        }
        defer { cvectorscan_free_database(database) }
        var scratch: OpaquePointer?
        guard cvectorscan_alloc_scratch(database, &scratch) == HS_SUCCESS, let scratch else { throw BenchmarkFailure("no scratch") }
        defer { cvectorscan_free_scratch(scratch) }
        var scanned = 0
        var hits = 0
        let start = ContinuousClock.now
        var elapsed = 0.0
        while elapsed < minimumSeconds {
            for line in lines {
                line.withUnsafeBytes { bytes in
                    _ = cvectorscan_scan(
                        database, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), UInt32(bytes.count), 0,
                        scratch,
                        { _, _, _, _, context in
                            context!.assumingMemoryBound(to: Int.self).pointee += 1
                            return 0
                        }, &hits)
                }
            }
            scanned += lines.count
            elapsed = seconds(ContinuousClock.now - start)
        }
        guard hits == 0 else { throw BenchmarkFailure("the plain scan found \(hits) matches in the sample message") }
        return (Double(scanned) / elapsed, expressions.count)
    }
}
