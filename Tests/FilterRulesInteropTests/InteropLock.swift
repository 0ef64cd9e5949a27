#if canImport(Glibc)
    import Glibc
#endif

/// A machine-wide lock around a real smtpd run: only one smtpd can run at a time (control
/// socket /run/smtpd.sock, spool /var/spool/smtpd), also across test processes that use
/// different scratch paths.
final class InteropLock {
    /// The lock file; `flock` on it serializes the runs.
    static let path = "/tmp/filter-rules-interop-smtpd.lock"
    private let descriptor: Int32

    /// Waits up to `timeout` seconds for the lock.
    init(timeout: Double) throws {
        let fd = open(Self.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw InteropError.system("open \(Self.path)", errno) }
        let deadline = Deadline(seconds: timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, !deadline.hasPassed else {
                close(fd)
                throw InteropError.timedOut("waiting \(timeout) s for \(Self.path) (another smtpd run holds it)")
            }
            usleep(50_000)
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
