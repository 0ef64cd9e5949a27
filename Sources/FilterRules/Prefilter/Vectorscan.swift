import CVectorscan

/// Whether Vectorscan can run here, and which library it is.
///
/// The library (`libhs.so.5`, Debian's libvectorscan5) is opened at run time: without it,
/// or on a CPU it cannot run on, every stage is matched by PCRE2 alone.
public enum Vectorscan {
    /// The library's version and build date (`hs_version`) and the scan implementation
    /// used, e.g. `5.4.9 2023-01-25, corei7 runtime` (see Sources/CVectorscan/loader.c for
    /// why the SSE4.2 implementation); `none` when the library cannot be opened. Part of
    /// every cache key: a database compiled for another runtime is not loaded.
    public static let version: String =
        cvectorscan_load() == 1
        ? String(String(cString: cvectorscan_version()).reversed().drop { $0 == " " }.reversed()) + ", "
            + String(cString: cvectorscan_runtime()) + " runtime"
        : "none"

    /// Why Vectorscan cannot be used on this machine, nil when it can: the library is not
    /// installed (or cannot be opened), or the CPU lacks the instructions it needs
    /// (`hs_valid_platform`).
    public static let unavailableReason: String? = {
        guard cvectorscan_load() == 1 else {
            let why = cvectorscan_load_error().map { String(cString: $0) } ?? "unknown error"
            return "the Vectorscan library cannot be opened (install libvectorscan5): \(why)"
        }
        return cvectorscan_valid_platform() == HS_SUCCESS
            ? nil
            : "this CPU lacks the instructions Vectorscan \(version) needs (SSSE3 or better)"
    }()

    /// Whether Vectorscan can be used.
    public static var isAvailable: Bool { unavailableReason == nil }
}

/// A Vectorscan call that failed, with the library's message.
struct VectorscanError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    var message: String
    /// For a compile error: the index of the pattern it was about, nil for the whole set.
    var patternIndex: Int?

    var description: String { message }

    init(_ message: String, patternIndex: Int? = nil) {
        self.message = message
        self.patternIndex = patternIndex
    }

    /// The error of a call that returned `code`.
    init(call: String, code: hs_error_t) {
        self.init("\(call) failed with Vectorscan error \(code)")
    }
}
