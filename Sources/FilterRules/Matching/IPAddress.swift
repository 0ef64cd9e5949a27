#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address as raw network-order bytes.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses dotted-quad IPv4 or textual IPv6 (`inet_pton`); a bracketed form
    /// such as `[::1]` is accepted too.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.first == "[", text.last == "]", text.count >= 2 {
            text = text.dropFirst().dropLast()
        }
        guard !text.isEmpty, !text.contains("\0") else { return nil }
        let candidate = String(text)
        if let bytes = Self.presentation(candidate, family: AF_INET, count: 4)
            ?? Self.presentation(candidate, family: AF_INET6, count: 16)
        {
            self.bytes = bytes
        } else {
            return nil
        }
    }

    /// Wraps 4 (IPv4) or 16 (IPv6) bytes; any other count yields nil.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Whether this is an IPv4 address (4 bytes).
    public var isIPv4: Bool { bytes.count == 4 }

    /// The `inet_ntop` text form, e.g. `192.0.2.1` or `2001:db8::1`.
    public var description: String {
        let family = isIPv4 ? AF_INET : AF_INET6
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok = bytes.withUnsafeBytes { source in
            buffer.withUnsafeMutableBufferPointer { target in
                inet_ntop(family, source.baseAddress, target.baseAddress, socklen_t(target.count)) != nil
            }
        }
        guard ok else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// For an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), the IPv4 address; otherwise nil.
    public var unmappedIPv4: IPAddress? {
        guard bytes.count == 16,
            bytes[0..<10].allSatisfy({ $0 == 0 }),
            bytes[10] == 0xff, bytes[11] == 0xff
        else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// Runs `inet_pton` for one address family.
    private static func presentation(_ text: String, family: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let rc = bytes.withUnsafeMutableBytes { target in
            text.withCString { inet_pton(family, $0, target.baseAddress) }
        }
        return rc == 1 ? bytes : nil
    }
}
