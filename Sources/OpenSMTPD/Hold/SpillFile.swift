import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The temporary file a held message spills into: mode 0600, close-on-exec, and without a
/// name in the file system (O_TMPFILE, or mkstemp and an immediate unlink), so it goes away
/// with its descriptor whatever happens to the process.
struct SpillFile {
    /// The open descriptor (owned: ``discard()`` closes it).
    let descriptor: Int32

    /// Wraps an open descriptor (tests pass one that fails).
    init(descriptor: Int32) { self.descriptor = descriptor }

    /// Creates a nameless file in `directory`; `allowTmpfile: false` skips O_TMPFILE (to
    /// test the other way). Throws the errno and what failed.
    static func create(in directory: String, allowTmpfile: Bool = true) throws(SpillError) -> SpillFile {
        #if os(Linux) && (arch(x86_64) || arch(arm64))
            if allowTmpfile {
                // O_TMPFILE (__O_TMPFILE | O_DIRECTORY) is a macro Swift does not import; this is
                // its value on these architectures.
                let tmpfile: Int32 = 0o20000000 | O_DIRECTORY
                let fd = open(directory, tmpfile | O_RDWR | O_CLOEXEC, 0o600)
                if fd >= 0 { return SpillFile(descriptor: fd) }
                // File systems without O_TMPFILE answer EOPNOTSUPP (or EISDIR on old kernels);
                // anything else (EACCES, ENOENT, ENOSPC...) the other way would meet as well.
                guard errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL else {
                    throw SpillError(operation: "open(O_TMPFILE) in \(directory)", errno: errno)
                }
            }
        #endif
        var template = Array("\(directory)/opensmtpd-hold-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw SpillError(operation: "mkstemp in \(directory)", errno: errno) }
        let removed = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        guard removed == 0 else {
            let code = errno
            close(fd)
            throw SpillError(operation: "unlink of the spill file in \(directory)", errno: code)
        }
        _ = copensmtpd_set_cloexec(fd)
        return SpillFile(descriptor: fd)
    }

    /// Writes all of `bytes` at `offset`; returns how many were written before an error
    /// (with the error), or nil when all were.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (written: Int, error: SpillError)? {
        var done = 0
        while done < bytes.count {
            let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            // pwrite returning 0 for a non-empty buffer means no space.
            return (done, SpillError(operation: "write to the spill file", errno: n == 0 ? ENOSPC : errno))
        }
        return nil
    }

    /// Reads `count` bytes at `offset` into `buffer` (appended).
    func read(_ count: Int, at offset: Int, into buffer: inout [UInt8]) throws(SpillError) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + start + done, count - done, off_t(offset + done)) }
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            buffer.removeSubrange((start + done)...)
            throw SpillError(operation: "read back from the spill file", errno: n == 0 ? EIO : errno)
        }
    }

    /// Closes the descriptor: the file is gone.
    func discard() {
        close(descriptor)
    }
}

/// A spill file that could not be created, written or read.
struct SpillError: Error, CustomStringConvertible {
    /// What failed.
    var operation: String
    /// The errno it failed with.
    var errno: Int32

    var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}
