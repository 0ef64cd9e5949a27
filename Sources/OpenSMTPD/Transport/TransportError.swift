#if canImport(Glibc)
    import Glibc
#endif

/// A failure of the operating system underneath a channel or pipe.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed with `errno`.
    case system(String, Int32)
    /// The descriptor is not usable (closed, or not a socket).
    case badDescriptor(Int32)

    /// `call: strerror(errno)`.
    public var description: String {
        switch self {
        case let .system(call, code):
            return "\(call): \(String(cString: strerror(code)))"
        case let .badDescriptor(fd):
            return "descriptor \(fd) is not usable"
        }
    }
}
