import Foundation
import Synchronization

/// A UDP DNS server on 127.0.0.1 whose every answer a test writes: SERVFAIL, a malformed
/// message, a late answer, or none at all (a server that never answers). Each query is
/// given to `respond` with its bytes; what it returns is sent back after its delay.
public final class ScriptedDNSServer: @unchecked Sendable {
    /// What to do with one query.
    public enum Response: Sendable {
        /// Send these bytes back after `delay`.
        case send([UInt8], delay: Duration = .zero)
        /// Send nothing.
        case silence
    }

    /// The port on 127.0.0.1.
    public let port: UInt16
    /// Queries received so far.
    public var queryCount: Int { state.received.withLock { $0 } }
    private let socket: Int32
    /// What the server thread shares with the test.
    private final class State: Sendable {
        let received = Mutex(0)
        let stopped = Mutex(false)
    }
    private let state = State()
    private let thread: Thread

    /// A server answering each query as `respond` says.
    public init(respond: @escaping @Sendable (_ query: [UInt8]) -> Response) throws {
        let descriptor = Foundation.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw DNSTestServerError("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw DNSTestServerError("bind: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        socket = descriptor
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let state = self.state
        thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !state.stopped.withLock({ $0 }) {
                var peer = sockaddr_storage()
                var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, &buffer, buffer.count, 0, $0, &peerLength) }
                }
                guard count > 0 else { continue }
                state.received.withLock { $0 += 1 }
                guard case .send(let bytes, let delay) = respond(Array(buffer[..<count])) else { continue }
                let replyLength = peerLength
                let reply: @Sendable (sockaddr_storage) -> Void = { peer in
                    var peer = peer
                    _ = withUnsafePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, bytes, bytes.count, 0, $0, replyLength) }
                    }
                }
                if delay == .zero {
                    reply(peer)
                } else {
                    let sendPeer = peer
                    Thread.detachNewThread {
                        Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
                        if !state.stopped.withLock({ $0 }) { reply(sendPeer) }
                    }
                }
            }
        }
        thread.start()
    }

    /// `127.0.0.1:PORT`.
    public var address: String { "127.0.0.1:\(port)" }

    /// Stops answering and closes the socket (after the thread's next 100 ms tick).
    public func stop() {
        guard
            !state.stopped.withLock({ done in
                defer { done = true }; return done
            })
        else { return }
        Thread.sleep(forTimeInterval: 0.15)
        close(socket)
    }

    deinit { stop() }

    // MARK: Building answers

    /// An answer to `query` with its id and question, the response code `rcode` (2 SERVFAIL,
    /// 3 NXDOMAIN, 5 REFUSED) and `answers` (raw resource records, names compressed to the
    /// question as `0xc00c`).
    public static func answer(to query: [UInt8], rcode: UInt8, answers: [[UInt8]] = []) -> [UInt8] {
        guard query.count >= 12 else { return [] }
        var message = Array(query[0..<2])
        message += [0x81 | (query[2] & 0x01), 0x80 | rcode]  // QR, opcode 0, RD copied; RA
        message += [0x00, 0x01, 0x00, UInt8(answers.count), 0x00, 0x00, 0x00, 0x00]
        message += question(of: query)
        for record in answers { message += record }
        return message
    }

    /// An A record for the question's name: `0xc00c`, type A, class IN, `ttl`, 4 bytes.
    public static func aRecord(_ address: [UInt8], ttl: UInt32 = 300) -> [UInt8] {
        [0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01] + bigEndian(ttl) + [0x00, 0x04] + address
    }

    /// The question section of `query` (name, type, class), or empty when it cannot be read.
    public static func question(of query: [UInt8]) -> [UInt8] {
        var offset = 12
        while offset < query.count, query[offset] != 0 { offset += 1 + Int(query[offset]) }
        guard offset + 5 <= query.count else { return [] }
        return Array(query[12...(offset + 4)])
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
