import CVectorscan
#if canImport(Glibc)
    import Glibc
#endif
import PCRE2Matching

/// One rule's regex as Vectorscan compiles it: the expression (PCRE2 syntax, which
/// Vectorscan shares), its flags, and the id its matches report (the rule's position in
/// its stage).
struct VectorscanPattern: Sendable, Hashable {
    /// The expression's bytes, without a terminating NUL (it never contains one).
    var expression: [UInt8]
    /// `HS_FLAG_*` bits.
    var flags: UInt32
    /// What a match of it reports.
    var id: UInt32

    /// The pattern Vectorscan scans for a rule's regex, nil when Vectorscan must not stand
    /// in for it. It stands in only when every subject PCRE2 matches is one it reports: the
    /// regex is compiled exactly when Vectorscan supports it, else in Vectorscan's
    /// prefiltering mode (a superset: back-references and look-arounds widened), and left
    /// out when even that is refused, when it can match the empty string (it then matches
    /// every subject), when it is UTF-8 (`u`: Vectorscan's behaviour on invalid UTF-8 is
    /// undefined, PCRE2's is defined), when it contains a NUL, PCRE2's `(*VERB)` options
    /// (they change what `$`, `.` and newlines mean) or Unicode properties (`\p`, `\P`,
    /// `\X`: PCRE2 applies them to bytes 128–255, Vectorscan only in UTF-8 mode).
    static func standingIn(for source: String, flags: RegexFlags, id: Int) -> VectorscanPattern? {
        guard !flags.contains(.utf), !source.utf8.contains(0),
            !source.contains("(*"), !source.contains("\\p"), !source.contains("\\P"), !source.contains("\\X")
        else { return nil }
        var bits = UInt32(HS_FLAG_SINGLEMATCH)
        if flags.contains(.caseless) { bits |= UInt32(HS_FLAG_CASELESS) }
        if flags.contains(.dotAll) { bits |= UInt32(HS_FLAG_DOTALL) }
        if flags.contains(.multiline) { bits |= UInt32(HS_FLAG_MULTILINE) }
        // Vectorscan has no flag for PCRE2's extended syntax, but knows the inline option.
        let expression = Array(((flags.contains(.extended) ? "(?x)" : "") + source).utf8)
        for candidate in [bits, bits | UInt32(HS_FLAG_PREFILTER)] where matchesNonEmpty(expression, candidate) {
            return VectorscanPattern(expression: expression, flags: candidate, id: UInt32(id))
        }
        return nil
    }

    /// Whether Vectorscan accepts `expression` with `flags` and every match of it is at
    /// least one byte long (`hs_expression_info`).
    private static func matchesNonEmpty(_ expression: [UInt8], _ flags: UInt32) -> Bool {
        var info: UnsafeMutablePointer<hs_expr_info_t>?
        var error: UnsafeMutablePointer<hs_compile_error_t>?
        let code = (expression + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cvectorscan_expression_info($0.baseAddress, flags, &info, &error) }
        }
        defer {
            if let error { cvectorscan_free_compile_error(error) }
            free(info)
        }
        guard code == HS_SUCCESS, let info else { return false }
        return info.pointee.min_width > 0
    }
}
