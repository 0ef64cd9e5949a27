import RuleStores

#if canImport(Glibc)
    import Glibc
#endif

/// The socket address of a Redis endpoint, worked out once when the client is made: a host
/// name is resolved then, on the caller's thread, so that reconnecting never blocks the
/// client's event thread in the resolver (its deadlines would wait meanwhile).
struct RedisSocketAddress: @unchecked Sendable {
    // Unchecked: a plain C value, copied into the event loop before its thread starts.
    /// The address.
    var storage = sockaddr_storage()
    /// Its length.
    var length: socklen_t = 0
    /// Its family (`AF_UNIX`, `AF_INET`, `AF_INET6`).
    var family: Int32 = AF_UNSPEC

    /// The address of `endpoint`, or why there is none (a socket path too long, a host name
    /// that does not resolve).
    static func of(_ endpoint: RedisEndpoint) -> Result<RedisSocketAddress, RedisFailure> {
        var resolved = RedisSocketAddress()
        switch endpoint.address {
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return .failure(.disconnected("socket path too long")) }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
            withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &resolved.storage) { $0.copyMemory(from: raw) } }
            resolved.length = socklen_t(MemoryLayout<sockaddr_un>.size)
            resolved.family = AF_UNIX
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
                return .failure(.disconnected("cannot resolve \(host)"))
            }
            defer { freeaddrinfo(result) }
            resolved.family = first.pointee.ai_family
            resolved.length = first.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &resolved.storage) {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(resolved.length)))
            }
        }
        return .success(resolved)
    }
}
