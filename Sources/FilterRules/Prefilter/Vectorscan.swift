import CVectorscan

/// Whether Vectorscan can run here, and which library it is.
public enum Vectorscan {
    /// The library's version and build date (`hs_version`), e.g. `5.4.9 2023-01-25`.
    public static let version: String = String(cString: hs_version())

    /// Why Vectorscan cannot be used on this machine, nil when it can: the CPU lacks the
    /// instructions the library needs (`hs_valid_platform`).
    public static let unavailableReason: String? = {
        hs_valid_platform() == HS_SUCCESS ? nil
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
