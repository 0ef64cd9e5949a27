#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The type of a file system entry, from its `st_mode`.
public enum FileKind: Equatable, Sendable {
    /// A regular file.
    case regular
    /// A directory.
    case directory
    /// A FIFO (named pipe).
    case fifo
    /// A Unix-domain socket.
    case socket
    /// A character device.
    case characterDevice
    /// A block device.
    case blockDevice
    /// Any other type of entry.
    case other

    /// The type of an entry with mode `mode`.
    public init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        default: self = .other
        }
    }

    /// How an entry that is not a regular file is named in messages; nil for a regular file.
    public var unreadableName: String? {
        switch self {
        case .regular: return nil
        case .directory: return "a directory"
        case .fifo: return "a FIFO (named pipe)"
        case .socket: return "a socket"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .other: return "a special file"
        }
    }
}
