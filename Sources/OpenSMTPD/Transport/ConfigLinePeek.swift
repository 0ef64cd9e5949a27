#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Peeks at the first bytes the daemon sends, without consuming them, to tell its line
/// protocols (which start with `config|`) from its imsg protocols. Shared by
/// ``DaemonProtocol/detect(descriptor:)`` (filters) and ``TableProtocol/detect(descriptor:)``.
enum ConfigLinePeek {
    /// Whether `descriptor` carries a line protocol: true for a descriptor that is not a
    /// socket (imsg needs one), or a socket whose first bytes are `config|`; false for other
    /// first bytes, for the end of input (or a hang-up) before seven bytes, or a failed read.
    static func startsWithConfigLine(descriptor: Int32) -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK else { return true }
        let marker = Array("config|".utf8)
        var peeked = [UInt8](repeating: 0, count: marker.count)
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN) | pollReadHangUp, revents: 0)
            let ready = poll(&entry, 1, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return false
            }
            let count = peeked.withUnsafeMutableBytes {
                recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                return false
            }
            if count == 0 { return false }
            if peeked[0..<count] != marker[0..<count] { return false }
            if count == marker.count { return true }
            // A partial `config|` followed by the end of input cannot be a line protocol.
            if entry.revents & (Int16(POLLHUP) | pollReadHangUp) != 0 { return false }
            usleep(1000)  // a partial `config|`: wait for the rest of the line
        }
    }
}

/// POLLRDHUP (Linux: the peer shut down its writing side), which Glibc's module does not
/// export without _GNU_SOURCE; POLLHUP covers the other systems.
#if os(Linux)
    private let pollReadHangUp: Int16 = 0x2000
#else
    private let pollReadHangUp: Int16 = 0
#endif
