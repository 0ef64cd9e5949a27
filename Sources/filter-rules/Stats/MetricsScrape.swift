#if canImport(FoundationEssentials)
    import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// One plain HTTP/1.0 `GET /metrics` of a filter-rules metrics endpoint, for `stats`: the
/// body of a 200 answer, or why there is none. Bounded: 5 s to connect and answer, 16 MiB
/// of answer.
enum MetricsScrape {
    /// Why a scrape failed, in words for the person at the terminal.
    struct Failure: Error, CustomStringConvertible {
        /// The reason.
        var description: String
    }

    /// The body of `GET http://host:port/metrics`.
    static func fetch(host: String, port: Int, timeoutMilliseconds: Int32 = 5000) throws(Failure) -> String {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: Int(timeoutMilliseconds / 1000), tv_usec: Int(timeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw Failure(description: "cannot connect to \(host):\(port): \(String(cString: strerror(errno)))")
        }
        let request = Array("GET /metrics HTTP/1.0\r\nHost: \(host):\(port)\r\nAccept: text/plain;version=0.0.4\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw Failure(description: "cannot send the request: \(String(cString: strerror(errno)))")
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while answer.count < 16 << 20 {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "no answer from \(host):\(port): \(String(cString: strerror(errno)))") }
            answer.append(contentsOf: chunk[..<count])
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "\(host):\(port) did not answer in HTTP") }
        // "\r\n" is one Character: the status line ends at the first one.
        let status = text[..<split.lowerBound].prefix { $0 != "\r\n" }
        guard status.split(separator: " ").dropFirst().first == "200" else {
            throw Failure(description: "\(host):\(port) answered \(status)")
        }
        return String(text[split.upperBound...])
    }
}
