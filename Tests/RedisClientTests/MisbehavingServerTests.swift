import RuleStores
import Foundation
import RedisClient
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP server on 127.0.0.1 that accepts connections and then either never answers or
/// answers every command with `garbage`.
final class MisbehavingServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let garbage: [UInt8]?
    private var accepted: [Int32] = []
    private let lock = NSLock()
    private var running = true

    init(garbage: [UInt8]? = nil) throws {
        self.garbage = garbage
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 16)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = UInt16(bigEndian: bound.sin_port)
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            lock.lock()
            accepted.append(fd)
            lock.unlock()
            guard let garbage else { continue }
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 4096)
                while read(fd, &buffer, buffer.count) > 0 { _ = write(fd, garbage, garbage.count) }
            }
        }
    }

    /// How many connections it accepted.
    var connections: Int {
        lock.lock()
        defer { lock.unlock() }
        return accepted.count
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        lock.lock()
        for fd in accepted { shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
    }
}

@Suite("Redis client: servers that hang or lie", .serialized)
struct MisbehavingServerTests {
    @Test("a server that never answers: each command fails by its deadline, the stuck connection is made again; after 5 failures the breaker answers at once")
    func silent() throws {
        let server = try MisbehavingServer()
        defer { server.stop() }
        let logs = LogRecorder()
        let client = try RedisClient(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: Int(server.port))), logger: logs.logger())
        defer { client.shutdown() }
        for _ in 0..<5 {
            let start = Date()
            #expect(send(client, ["PING"]) == .failure(.timeout))
            let took = Date().timeIntervalSince(start)
            #expect(took >= 0.2 && took < 0.6, "took \(took) s")
        }
        // Open: failed at once, logged.
        let start = Date()
        #expect(send(client, ["PING"]) == .failure(.unavailable))
        #expect(Date().timeIntervalSince(start) < 0.05)
        #expect(logs.all.contains { $0.contains("5 commands in a row failed (last: timeout); not asked for 10 s") }, "\(logs.all)")
        // Many at once while the server hangs: every one completes, none late.
        let replies = Replies()
        for _ in 0..<200 { client.send(["GET", "x"]) { replies.add($0) } }
        #expect(replies.wait(for: 200).count == 200)
    }

    @Test("a server that answers garbage: a protocol error, the connection made again, never a reply")
    func garbage() throws {
        for junk in ["HTTP/1.1 400 Bad Request\r\n\r\n", "$-5\r\n", String(repeating: "*1\r\n", count: 20) + ":1\r\n"] {
            let server = try MisbehavingServer(garbage: Array(junk.utf8))
            defer { server.stop() }
            let client = try RedisClient(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: Int(server.port))), logger: .quiet)
            defer { client.shutdown() }
            for _ in 0..<2 {
                switch send(client, ["PING"]) {
                case .failure(.protocolError), .failure(.timeout), .failure(.disconnected): break
                case let other: Issue.record("\(junk.debugDescription): \(other)")
                }
            }
        }
    }

    @Test("nothing listening: each command fails at once, retried later with a growing pause")
    func refused() throws {
        // Bound and closed again: nothing listens there.
        let closed = try MisbehavingServer()
        closed.stop()
        let port = closed.port
        let client = try RedisClient(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: Int(port))), logger: .quiet)
        defer { client.shutdown() }
        let start = Date()
        guard case .failure(.disconnected) = send(client, ["PING"]) else { Issue.record("PING to nothing passed"); return }
        #expect(Date().timeIntervalSince(start) < 0.3)
    }
}
