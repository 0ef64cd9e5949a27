#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A socket address as the daemon sends it: the raw bytes of a Linux `struct sockaddr_*`
/// (no `sa_len` field), decoded on demand.
///
/// The family is in host byte order, the port in network byte order; ``port`` is in host
/// order (the Go package `opensmtpd.v52` reads it the wrong way round).
public struct Sockaddr: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Linux AF_UNIX.
    public static let familyUnix: UInt16 = 1
    /// Linux AF_INET.
    public static let familyIPv4: UInt16 = 2
    /// Linux AF_INET6.
    public static let familyIPv6: UInt16 = 10

    /// The bytes exactly as received.
    public let rawBytes: [UInt8]

    /// Wraps the raw bytes of a `struct sockaddr_*`.
    public init(rawBytes: [UInt8]) {
        self.rawBytes = rawBytes
    }

    /// Builds an IPv4 `sockaddr_in` from a dotted address and a host-order port.
    public init?(ipv4 address: String, port: UInt16) {
        var raw = [UInt8](repeating: 0, count: 4)
        guard inet_pton(AF_INET, address, &raw) == 1 else { return nil }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: Self.familyIPv4) { bytes.append(contentsOf: $0) }
        bytes += [UInt8(port >> 8), UInt8(port & 0xff)]
        bytes += raw
        bytes += [UInt8](repeating: 0, count: 8)
        self.init(rawBytes: bytes)
    }

    /// Builds an IPv6 `sockaddr_in6` from a textual address and a host-order port.
    public init?(ipv6 address: String, port: UInt16, scopeID: UInt32 = 0) {
        var raw = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, address, &raw) == 1 else { return nil }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: Self.familyIPv6) { bytes.append(contentsOf: $0) }
        bytes += [UInt8(port >> 8), UInt8(port & 0xff)]
        bytes += [0, 0, 0, 0]  // flowinfo
        bytes += raw
        withUnsafeBytes(of: scopeID) { bytes.append(contentsOf: $0) }
        self.init(rawBytes: bytes)
    }

    /// The address family in host order, or nil when fewer than two bytes arrived.
    public var family: UInt16? {
        guard rawBytes.count >= 2 else { return nil }
        return rawBytes.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }
    }

    /// Whether this is a complete IPv4 address.
    public var isIPv4: Bool { family == Self.familyIPv4 && rawBytes.count >= 8 }
    /// Whether this is a complete IPv6 address.
    public var isIPv6: Bool { family == Self.familyIPv6 && rawBytes.count >= 24 }

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6, nil otherwise.
    public var addressBytes: [UInt8]? {
        if isIPv4 { return Array(rawBytes[4..<8]) }
        if isIPv6 { return Array(rawBytes[8..<24]) }
        return nil
    }

    /// The port in host order, for IPv4 and IPv6.
    public var port: UInt16? {
        guard isIPv4 || isIPv6 else { return nil }
        return UInt16(rawBytes[2]) << 8 | UInt16(rawBytes[3])
    }

    /// The textual address (`192.0.2.7`, `2001:db8::1`), or nil for other families.
    public var ip: String? {
        guard let address = addressBytes else { return nil }
        let af = address.count == 4 ? AF_INET : AF_INET6
        var text = [CChar](repeating: 0, count: 64)
        guard inet_ntop(af, address, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The path of an AF_UNIX address, if this is one.
    public var unixPath: String? {
        guard family == Self.familyUnix, rawBytes.count > 2 else { return nil }
        return String(decoding: rawBytes[2...].prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `"tcp4"`, `"tcp6"`, `"unix"` or `"unknown"` (Go's `net.Addr.Network()` values).
    public var network: String {
        if isIPv4 { return "tcp4" }
        if isIPv6 { return "tcp6" }
        if family == Self.familyUnix { return "unix" }
        return "unknown"
    }

    /// `192.0.2.7:40000`, `[2001:db8::1]:25`, `unix:/path`, or `family N (K bytes)`.
    public var description: String {
        if let ip, let port {
            return isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        if family == Self.familyUnix { return "unix:\(unixPath ?? "")" }
        return "family \(family.map(String.init) ?? "?") (\(rawBytes.count) bytes)"
    }
}
