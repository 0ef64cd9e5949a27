import CPCRE2

/// A regular expression PCRE2 refused to compile.
public struct RegexCompileError: Error, Sendable, Equatable {
    /// PCRE2's own description of the error.
    public var message: String
    /// The byte offset in the pattern's UTF-8 where PCRE2 detected the error.
    public var offset: Int

    /// Creates a compile error.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }
}

/// The outcome of matching a regular expression against a subject.
public enum RegexMatchResult: Sendable, Equatable {
    /// The pattern matched.
    case match
    /// The pattern did not match.
    case noMatch
    /// Matching was abandoned because a resource limit was hit; the text names the limit.
    case limitExceeded(String)
    /// PCRE2 reported another error; the text is PCRE2's message.
    case failed(String)
}

/// A compiled PCRE2 regular expression over 8-bit code units.
///
/// Immutable after initialisation (but for the code for long subjects, compiled on first
/// use behind a lock); compiled PCRE2 code may be shared between threads for matching,
/// while each thread supplies its own `MatchScratch`.
public final class PCRE2Regex: @unchecked Sendable {
    /// The pattern as written.
    public let pattern: String
    /// The flags it was compiled with.
    public let flags: RegexFlags
    /// Whether PCRE2's JIT compiler accepted the pattern (otherwise the interpreter is used).
    public let isJITCompiled: Bool

    /// The compiled pattern (shared with the capture extension).
    let code: OpaquePointer
    /// The pattern compiled for matching long subjects in slices, when it may be.
    let slicedCode: SlicedCode

    /// Compiles `pattern` with `flags`, then JIT-compiles it when the JIT is available.
    ///
    /// - Throws: `RegexCompileError` with PCRE2's message and byte offset.
    public init(pattern: String, flags: RegexFlags) throws(RegexCompileError) {
        let compiled: OpaquePointer
        switch Self.compile(pattern, options: flags.compileOptions) {
        case .success(let code): compiled = code
        case .failure(let error): throw error
        }
        self.pattern = pattern
        self.flags = flags
        self.code = compiled
        self.isJITCompiled = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
        var allOptions: UInt32 = 0
        _ = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_ALLOPTIONS), &allOptions)
        // \G and the backtracking verbs ((*COMMIT), (*SKIP)...) depend on where the match
        // began searching; an anchored pattern has one start position to begin with.
        let sliceable = allOptions & PCRE2_ANCHORED == 0 && !pattern.contains("\\G") && !pattern.contains("(*")
        self.slicedCode = SlicedCode(pattern: sliceable ? pattern : nil, options: flags.compileOptions)
    }

    deinit {
        pcre2_code_free_8(code)
    }

    /// Compiles `pattern` with PCRE2 compile `options`.
    static func compile(_ pattern: String, options: UInt32) -> Result<OpaquePointer, RegexCompileError> {
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled = withNonNilBytes(Array(pattern.utf8)) { pointer, count in
            pcre2_compile_8(pointer, count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            return .failure(RegexCompileError(message: pcre2ErrorMessage(errorCode), offset: errorOffset))
        }
        return .success(compiled)
    }

    /// Matches against arbitrary bytes (NUL and invalid UTF-8 allowed).
    public func matches(_ subject: UnsafeRawBufferPointer, scratch: MatchScratch) -> RegexMatchResult {
        let outcome: Execution
        if let base = subject.baseAddress {
            outcome = execute(base.assumingMemoryBound(to: UInt8.self), subject.count, scratch.matchData, scratch)
        } else {
            var empty: UInt8 = 0
            outcome = withUnsafePointer(to: &empty) { execute($0, 0, scratch.matchData, scratch) }
        }
        if outcome.rc >= 0 { return .match }
        if outcome.rc == PCRE2_ERROR_NOMATCH { return .noMatch }
        return outcome.failure(scratch)
    }

    /// Matches against a byte array.
    public func matches(_ subject: [UInt8], scratch: MatchScratch) -> RegexMatchResult {
        subject.withUnsafeBytes { matches($0, scratch: scratch) }
    }

    /// Matches against a string's UTF-8.
    public func matches(_ subject: String, scratch: MatchScratch) -> RegexMatchResult {
        var subject = subject
        return subject.withUTF8 { matches(UnsafeRawBufferPointer($0), scratch: scratch) }
    }

    /// Maps a `pcre2_match` return code to a result.
    static func result(_ rc: Int32) -> RegexMatchResult {
        if rc >= 0 { return .match }
        switch rc {
        case PCRE2_ERROR_NOMATCH: return .noMatch
        case PCRE2_ERROR_MATCHLIMIT: return .limitExceeded("match limit exceeded")
        case PCRE2_ERROR_DEPTHLIMIT: return .limitExceeded("depth limit exceeded")
        case PCRE2_ERROR_HEAPLIMIT: return .limitExceeded("heap limit exceeded")
        case PCRE2_ERROR_JIT_STACKLIMIT: return .limitExceeded("JIT stack limit exceeded")
        default: return .failed(pcre2ErrorMessage(rc))
        }
    }
}

/// Calls `body` with a non-nil pointer to `bytes` (PCRE2 rejects a nil pointer even for length 0).
func withNonNilBytes<R>(
    _ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> R
) -> R {
    bytes.withUnsafeBufferPointer { buffer in
        if let base = buffer.baseAddress { return body(base, buffer.count) }
        var empty: UInt8 = 0
        return withUnsafePointer(to: &empty) { body($0, 0) }
    }
}
