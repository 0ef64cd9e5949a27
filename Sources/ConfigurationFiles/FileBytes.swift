#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes of a configuration file, read with plain `open`/`read`/`close`.
///
/// The path is looked at first, so a directory, FIFO, socket or device is refused without
/// being opened, and it is opened with `O_NONBLOCK`, so a FIFO put in its place since
/// cannot block the reader; the opened file is checked again.
public enum FileBytes {
    /// Reads the regular file at `path`.
    public static func read(path: String) throws(FileReadFailure) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure(errno: errno, path: path) }
        if let kind = FileKind(mode: info.st_mode).unreadableName { throw .notARegularFile(kind) }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw failure(errno: errno, path: path) }
        defer { close(descriptor) }
        guard fstat(descriptor, &info) == 0 else { throw .system(errno) }
        if let kind = FileKind(mode: info.st_mode).unreadableName { throw .notARegularFile(kind) }
        return try readAll(descriptor, sizeHint: Int(info.st_size))
    }

    /// Everything up to the end of the open descriptor (standard input, say).
    public static func read(descriptor: Int32) throws(FileReadFailure) -> [UInt8] {
        try readAll(descriptor, sizeHint: 0)
    }

    /// Everything up to the end of the file.
    private static func readAll(_ descriptor: Int32, sizeHint: Int) throws(FileReadFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sizeHint)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                return bytes
            } else if errno != EINTR {
                throw .system(errno)
            }
        }
    }

    /// The failure for `errno` of `stat` or `open`: a permission problem is explained.
    private static func failure(errno code: Int32, path: String) -> FileReadFailure {
        code == EACCES ? .permissionDenied(AccessExplanation(path: path).text) : .system(code)
    }
}

extension FileBytes {
    /// Whether something exists at `path` (as `stat` sees it, following symlinks).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}

/// `read(2)`, under a name that does not clash with ``FileBytes/read(path:)``.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
