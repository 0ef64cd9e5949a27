#if canImport(Glibc)
    import Glibc
#endif

/// Dotted IPv4 addresses as host-byte-order numbers, read strictly (`inet_pton`: four
/// decimal parts, no leading zeros) and written back.
enum IPv4Text {
    /// The address `text` names, or nil.
    static func parse(_ text: String) -> UInt32? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return UInt32(bigEndian: address.s_addr)
    }

    /// `a.b.c.d`.
    static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }
}

/// IPv6 address text, checked with `inet_pton`.
enum IPv6Text {
    /// Whether `text` is an IPv6 address.
    static func isAddress(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}
