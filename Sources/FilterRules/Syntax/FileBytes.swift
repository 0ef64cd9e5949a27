#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be read, with the C library's words for why.
public struct FileReadError: Error, Sendable, CustomStringConvertible {
    /// `strerror` of the failing call, e.g. "No such file or directory".
    public let reason: String

    /// The reason.
    public var description: String { reason }
}

/// Whole files read with the C library: the shipped programs link no Foundation file API
/// (whose ICU data and temporary-file code would come with it into a static binary).
public enum FileBytes {
    /// The bytes of the file at `path`.
    ///
    /// - Throws: ``FileReadError`` when it cannot be opened or read (a directory included).
    public static func contents(of path: String) throws(FileReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 { throw FileReadError(reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(reason: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Whether something exists at `path` (as `stat` sees it, following symlinks).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}
