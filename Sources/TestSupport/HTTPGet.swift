#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP answer as the tests read it.
public struct HTTPAnswer: Sendable {
    /// The status code.
    public var status: Int
    /// The header lines, names lowercased.
    public var headers: [String: String]
    /// The body.
    public var body: String
}

/// Why a test's HTTP request failed.
public struct HTTPGetFailure: Error, CustomStringConvertible {
    /// The reason.
    public var description: String
}

/// Sends `request` (a whole HTTP/1.0 or 1.1 request with `Connection: close`) to
/// 127.0.0.1:`port` and reads the answer to the end, within `timeout` seconds: the tests'
/// own small client, so that the endpoint is not read by the library that wrote it.
public func httpExchange(port: Int, request: String, host: String = "127.0.0.1", timeout: Double = 5) throws -> HTTPAnswer {
    let fd = try connectedSocket(host: host, port: port, timeout: timeout)
    defer { close(fd) }
    let bytes = Array(request.utf8)
    guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
        throw HTTPGetFailure(description: "send: \(String(cString: strerror(errno)))")
    }
    var answer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { break }
        guard count > 0 else { throw HTTPGetFailure(description: "recv: \(String(cString: strerror(errno)))") }
        answer.append(contentsOf: chunk[..<count])
    }
    let separator: [UInt8] = [13, 10, 13, 10]
    guard let end = (0...max(0, answer.count - 4)).first(where: { answer.count >= 4 && Array(answer[$0..<$0 + 4]) == separator }) else {
        throw HTTPGetFailure(description: "no HTTP head in \(answer.count) bytes")
    }
    let head = String(decoding: answer[..<end], as: UTF8.self).split(separator: "\r\n")
    guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
        throw HTTPGetFailure(description: "bad status line")
    }
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].drop { $0 == " " })
    }
    return HTTPAnswer(status: status, headers: headers, body: String(decoding: answer[(end + 4)...], as: UTF8.self))
}

/// `GET path` on 127.0.0.1:`port`, with `accept` as the Accept header when given.
public func httpGet(port: Int, path: String = "/metrics", accept: String? = nil, timeout: Double = 5) throws -> HTTPAnswer {
    var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if let accept { request += "Accept: \(accept)\r\n" }
    return try httpExchange(port: port, request: request + "\r\n", timeout: timeout)
}

/// A TCP socket connected to `host`:`port` (an IPv4 address), with send and receive
/// timeouts of `timeout` seconds.
public func connectedSocket(host: String = "127.0.0.1", port: Int, timeout: Double = 5) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw HTTPGetFailure(description: "socket: \(String(cString: strerror(errno)))") }
    var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, host, &address.sin_addr)
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw HTTPGetFailure(description: "connect to \(host):\(port): \(reason)")
    }
    return fd
}

/// A TCP port on 127.0.0.1 that nothing listens on now (the system's choice for port 0).
public func freeLoopbackPort() throws -> Int { Int(try FreePort.tcp()) }
