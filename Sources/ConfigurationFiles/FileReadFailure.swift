#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a configuration file could not be read.
public enum FileReadFailure: Error, Equatable {
    /// The path names a directory, FIFO, socket or device (the kind, as in "a directory").
    case notARegularFile(String)
    /// `EACCES`, with who the process is and what the file (or directory) allows.
    case permissionDenied(String)
    /// Another `errno`.
    case system(Int32)

    /// The message after `FILE: `.
    public var message: String {
        switch self {
        case .notARegularFile(let kind):
            return "cannot read the file: it is \(kind), expected a regular file"
        case .permissionDenied(let explanation):
            return "cannot read the file: permission denied \(explanation)"
        case .system(let code):
            return "cannot read the file: \(Self.describe(code))"
        }
    }

    /// `strerror`, starting in lower case as the rest of a message does.
    private static func describe(_ code: Int32) -> String {
        guard let text = strerror(code).map({ String(cString: $0) }), let first = text.first else {
            return "error \(code)"
        }
        return first.lowercased() + text.dropFirst()
    }
}
