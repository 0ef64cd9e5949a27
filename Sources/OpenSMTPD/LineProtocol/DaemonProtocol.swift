#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two ways OpenSMTPD talks to a filter.
public enum DaemonProtocol: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Filter API 52 of OpenSMTPD 6.0.x: binary imsg frames on a socket on fd 0.
    case filterAPI52 = "v52"
    /// The line protocol of OpenSMTPD 6.6 and later: text lines on stdin and stdout.
    case lineProtocol = "line"

    /// `v52` or `line`.
    public var description: String { rawValue }

    /// Tells which protocol the daemon speaks on `descriptor` without consuming any input.
    ///
    /// The daemon speaks first in both. A descriptor that is not a socket (a pipe) can only
    /// carry the line protocol, since filter API 52 passes descriptors. On a socket, the
    /// first bytes are peeked: `config|` starts the line protocol; anything else (an imsg
    /// header) is filter API 52. End of input before a decision counts as filter API 52,
    /// whose engine then ends normally.
    public static func detect(descriptor: Int32 = 0) -> DaemonProtocol {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK else { return .lineProtocol }
        let marker = Array("config|".utf8)
        var peeked = [UInt8](repeating: 0, count: marker.count)
        while true {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN) | pollReadHangUp, revents: 0)
            let ready = poll(&entry, 1, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return .filterAPI52
            }
            let count = peeked.withUnsafeMutableBytes {
                recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                return .filterAPI52
            }
            if count == 0 { return .filterAPI52 }
            if peeked[0..<count] != marker[0..<count] { return .filterAPI52 }
            if count == marker.count { return .lineProtocol }
            // A partial `config|` followed by the end of input cannot be the line protocol.
            if entry.revents & (Int16(POLLHUP) | pollReadHangUp) != 0 { return .filterAPI52 }
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
