import CoreMetrics
import Glibc
import MetricsEndpoint
import Testing
import TestSupport

/// A registry with one counter at 3, and a server on a free port answering from it.
private func serving(_ limits: MetricsEndpointLimits = .init()) throws -> (MetricsHTTPServer, MetricsRegistry) {
    let registry = MetricsRegistry()
    Counter(label: "test_things_total", dimensions: [("kind", "a")], factory: registry.factory).increment(by: 3)
    return (try MetricsHTTPServer(host: "127.0.0.1", port: 0, registry: registry, limits: limits), registry)
}

/// Whether the peer of `fd` has closed it (a read finds the end, or an error), waiting up to `timeout` seconds.
private func closedByPeer(_ fd: Int32, within timeout: Double) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&entry, 1, Int32(timeout * 1000)) == 1 else { return false }
    var byte: UInt8 = 0
    return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) <= 0
}

@Suite("Metrics endpoint: HTTP answers, and clients that misbehave", .serialized)
struct MetricsHTTPServerTests {
    @Test("GET /metrics: the text format, or OpenMetrics when asked; 404 elsewhere; 405 for POST; HEAD without a body")
    func answers() throws {
        let (server, _) = try serving()
        defer { server.shutdown() }
        let text = try httpGet(port: server.port)
        #expect(text.status == 200)
        #expect(text.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(text.body.contains("# TYPE test_things_total counter\ntest_things_total{kind=\"a\"} 3\n"))
        let open = try httpGet(port: server.port, accept: "application/openmetrics-text;version=1.0.0,text/plain;q=0.5")
        #expect(open.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(open.body.hasPrefix("# TYPE test_things counter\ntest_things_total{kind=\"a\"} 3\n"))
        #expect(open.body.hasSuffix("# EOF\n"))
        #expect(try httpGet(port: server.port, path: "/metrics?x=1").status == 200)
        #expect(try httpGet(port: server.port, path: "/").status == 404)
        #expect(try httpGet(port: server.port, path: "/metrics/../etc/passwd").status == 404)
        let post = try httpExchange(port: server.port, request: "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab")
        #expect(post.status == 405 && post.headers["allow"] == "GET, HEAD")
        let head = try httpExchange(port: server.port, request: "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(head.status == 200 && head.body.isEmpty && Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        // Two requests on one kept-alive connection, then a closing one.
        let twice = try httpExchange(
            port: server.port, request: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(twice.status == 200 && twice.body.contains("HTTP/1.1 404 Not Found"))
    }

    @Test("a request line of 1 MB is cut off at the request budget; the endpoint answers the next client")
    func hugeRequestLine() throws {
        let (server, _) = try serving()
        defer { server.shutdown() }
        let fd = try connectedSocket(port: server.port)
        defer { close(fd) }
        let line = Array("GET /".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20) + Array(" HTTP/1.1\r\n\r\n".utf8)
        // The server closes after 16 KiB: the rest of the send fails or is dropped.
        _ = line.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        #expect(closedByPeer(fd, within: 5))
        #expect(try httpGet(port: server.port).status == 200)
        // Headers past the budget are cut off the same way.
        let headers = "GET /metrics HTTP/1.1\r\n" + String(repeating: "X-Pad: \(String(repeating: "p", count: 1000))\r\n", count: 40) + "\r\n"
        let padded = try connectedSocket(port: server.port)
        defer { close(padded) }
        _ = Array(headers.utf8).withUnsafeBytes { send(padded, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        #expect(closedByPeer(padded, within: 5))
    }

    @Test("1,000 idle connections: the oldest are closed for the newest, and a scrape is answered at once")
    func idleConnections() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4096 {
            limit.rlim_cur = min(4096, limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let (server, _) = try serving()
        defer { server.shutdown() }
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<1000 { idle.append(try connectedSocket(port: server.port)) }
        let started = ContinuousClock.now
        #expect(try httpGet(port: server.port, timeout: 2).status == 200)
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(server.openConnections <= 64)
        // The first ones were closed to make room.
        #expect(closedByPeer(idle[0], within: 2))
    }

    @Test("silent clients, and a client that sends requests but never reads, are closed at the idle timeout")
    func slowClients() throws {
        var limits = MetricsEndpointLimits()
        limits.idleTimeout = .milliseconds(300)
        limits.lifetime = .seconds(2)
        let (server, registry) = try serving(limits)
        defer { server.shutdown() }
        // Many label sets, so that answers fill the socket buffers.
        for index in 0..<2000 { Counter(label: "test_wide_total", dimensions: [("n", "\(index)")], factory: registry.factory).increment() }
        let silent = try connectedSocket(port: server.port)
        defer { close(silent) }
        #expect(closedByPeer(silent, within: 3))
        let reader = try connectedSocket(port: server.port)
        defer { close(reader) }
        var size: Int32 = 4096
        setsockopt(reader, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let request = Array(String(repeating: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", count: 200).utf8)
        _ = request.withUnsafeBytes { send(reader, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // The client never reads; its connection is closed by the idle timeout or the lifetime.
        let started = ContinuousClock.now
        while server.openConnections > 0, ContinuousClock.now - started < .seconds(5) { usleep(50_000) }
        #expect(server.openConnections == 0)
        #expect(try httpGet(port: server.port).status == 200)
    }

    @Test("a port in use is an error at start, not a crash")
    func portInUse() throws {
        let (server, registry) = try serving()
        defer { server.shutdown() }
        #expect(throws: (any Error).self) { try MetricsHTTPServer(host: "127.0.0.1", port: server.port, registry: registry) }
        #expect(try httpGet(port: server.port).status == 200)
    }
}
