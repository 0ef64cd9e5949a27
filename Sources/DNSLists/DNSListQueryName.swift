#if canImport(Glibc)
    import Glibc
#endif

/// The name looked up in a DNS list's zone for an input, as RFC 5782 lays it out: an IPv4
/// client address as its octets reversed (`192.0.2.99` → `99.2.0.192.ZONE`), an IPv6 one
/// as its 32 nibbles reversed, and a domain (HELO name, sender's domain, a link's host) as
/// it is, lowercased (`example.com` → `example.com.ZONE`).
///
/// Nothing that is not a valid name is looked up: a HELO of `[192.0.2.1]` or `localhost`
/// is not a domain in a list, and a name that would pass 253 characters with the zone, has
/// an empty label or a label over 63, or holds anything but letters, digits, `-` and `_`
/// gives nil.
public enum DNSListQueryName {
    /// The name for the client address `address` (IPv4 or IPv6 text) in `zone`, or nil when
    /// it is not an address.
    public static func forAddress(_ address: String, zone: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            return "\(value & 0xff).\(value >> 8 & 0xff).\(value >> 16 & 0xff).\(value >> 24).\(zone)"
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
        let digits = Array("0123456789abcdef")
        var name = ""
        name.reserveCapacity(64 + zone.utf8.count)
        withUnsafeBytes(of: &v6) { bytes in
            for byte in bytes.reversed() {
                name.append(digits[Int(byte & 0x0f)])
                name.append(".")
                name.append(digits[Int(byte >> 4)])
                name.append(".")
            }
        }
        return name + zone
    }

    /// The name for the domain `domain` in `zone`, or nil when `domain` is not a domain name
    /// of at least two labels that fits.
    public static func forDomain(_ domain: String, zone: String) -> String? {
        var bytes = Array(domain.utf8)
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count + 1 + zone.utf8.count <= 253 else { return nil }
        var labelLength = 0, labels = 1
        for index in bytes.indices {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "."):
                guard labelLength > 0 else { return nil }
                labelLength = 0
                labels += 1
                continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                bytes[index] = byte + 32
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "_"):
                break
            default:
                return nil
            }
            labelLength += 1
            if labelLength > 63 { return nil }
        }
        guard labelLength > 0, labels >= 2 else { return nil }
        return String(decoding: bytes, as: UTF8.self) + "." + zone
    }

    /// Whether `zone` is a DNS name a list can live under: at least two labels of letters,
    /// digits, `-` and `_`, none empty or over 63 characters, no final dot, 189 characters
    /// at most (room for an IPv6 address's 64 in front).
    public static func isValidZone(_ zone: String) -> Bool {
        guard zone.utf8.count <= 189, !zone.hasSuffix(".") else { return false }
        return forDomain(zone, zone: "x") != nil
    }
}
