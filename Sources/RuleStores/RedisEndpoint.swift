/// Where a Redis server listens, as `set store` names it: `redis://HOST:PORT/DB` (IPv6 as
/// `[ADDRESS]`, port 6379 and database 0 by default) or `redis+unix:///PATH?db=N`.
public struct RedisEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// A TCP address or a unix socket.
    public enum Address: Hashable, Sendable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    /// The server's address.
    public var address: Address
    /// The database number (`SELECT`).
    public var database: Int

    /// An endpoint.
    public init(address: Address, database: Int = 0) {
        self.address = address
        self.database = database
    }

    /// Parses a `redis://` or `redis+unix://` URL; nil when it is not one.
    public init?(url: String) {
        if url.hasPrefix("redis+unix://") {
            var rest = Substring(url.dropFirst("redis+unix://".count))
            var database = 0
            if let question = rest.firstIndex(of: "?") {
                let query = rest[rest.index(after: question)...]
                guard query.hasPrefix("db="), let number = Int(query.dropFirst(3)), number >= 0 else { return nil }
                database = number
                rest = rest[..<question]
            }
            guard rest.hasPrefix("/"), rest.count > 1 else { return nil }
            self.init(address: .unix(path: String(rest)), database: database)
            return
        }
        guard url.hasPrefix("redis://") else { return nil }
        var rest = Substring(url.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let tail = rest[rest.index(after: slash)...]
            if !tail.isEmpty {
                guard let number = Int(tail), number >= 0 else { return nil }
                database = number
            }
            rest = rest[..<slash]
        }
        var host: Substring
        var port = 6379
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]) else { return nil }
            port = number
        } else {
            host = rest
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.init(address: .tcp(host: String(host), port: port), database: database)
    }

    /// The URL.
    public var description: String {
        switch address {
        case .tcp(let host, let port):
            let shown = host.contains(":") ? "[\(host)]" : host
            return "redis://\(shown):\(port)/\(database)"
        case .unix(let path): return "redis+unix://\(path)?db=\(database)"
        }
    }
}
