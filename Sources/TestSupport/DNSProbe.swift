import Foundation

/// Small chores of the test servers: a free port on 127.0.0.1 (for TCP, or UDP and TCP),
/// and whether a DNS server answers yet.
enum FreePort {
    /// A port free for both UDP and TCP on 127.0.0.1 just now (bound, read, released).
    static func udpAndTCP() throws -> UInt16 {
        for _ in 0..<20 {
            let port = try bound(SOCK_DGRAM, port: 0)
            if (try? bound(SOCK_STREAM, port: port)) != nil { return port }
        }
        throw DNSTestServerError("no free port for UDP and TCP on 127.0.0.1")
    }

    /// A port free for TCP on 127.0.0.1 just now.
    static func tcp() throws -> UInt16 { try bound(SOCK_STREAM, port: 0) }

    private static func bound(_ type: __socket_type, port: UInt16) throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(type.rawValue), 0)
        guard descriptor >= 0 else { throw DNSTestServerError("socket: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 ? getsockname(descriptor, pointer, &length) : -1
            }
        }
        guard result == 0 else { throw DNSTestServerError("bind: \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}

enum DNSProbe {
    /// Whether a server on 127.0.0.1:`port` answers a SOA query for `name` within `seconds`.
    static func answers(port: UInt16, name: String, within seconds: Double) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        var query: [UInt8] = [0x4e, 0x53, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        for label in name.split(separator: ".") { query += [UInt8(label.utf8.count)] + Array(label.utf8) }
        query += [0x00, 0x00, 0x06, 0x00, 0x01]
        let end = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 512)
        while Date() < end {
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if recv(descriptor, &buffer, buffer.count, 0) >= 12 && buffer[0] == 0x4e && buffer[1] == 0x53 { return true }
        }
        return false
    }
}
