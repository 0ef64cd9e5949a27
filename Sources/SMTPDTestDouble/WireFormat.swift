// The daemon side's byte layouts, written from docs/protocol/imsg-framing.md (framing and
// filter API 52) independently of the OpenSMTPD library, so that tests check the library
// against the protocol notes rather than against itself.

/// Payload builder in the daemon's layout: native (little-endian) order, no tags, no padding.
public struct WireWriter: Sendable {
    /// The bytes so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty builder.
    public init() {}

    /// Appends `value` as 4 little-endian bytes (`m_add_u32`, `m_add_int`).
    public mutating func u32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Appends a signed int as 4 little-endian bytes.
    public mutating func int(_ value: Int32) { u32(UInt32(bitPattern: value)) }

    /// Appends `value` as 8 little-endian bytes (`m_add_id`, `size_t`).
    public mutating func u64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Appends the string's bytes and a NUL.
    public mutating func string(_ value: String) {
        bytes += Array(value.utf8)
        bytes.append(0)
    }

    /// Appends raw bytes.
    public mutating func raw(_ value: [UInt8]) { bytes += value }

    /// Appends an IPv4 sockaddr as `m_add_sockaddr` on Linux: size_t 16, then family 2
    /// (host order), port (network order), 4 address bytes, 8 zeros.
    public mutating func sockaddrIPv4(_ address: [UInt8], port: UInt16) {
        u64(16)
        raw([0x02, 0x00, UInt8(port >> 8), UInt8(port & 0xff)] + address + [UInt8](repeating: 0, count: 8))
    }

    /// Appends an IPv6 sockaddr: size_t 28, family 10, port, flowinfo, 16 address bytes, scope id.
    public mutating func sockaddrIPv6(_ address: [UInt8], port: UInt16) {
        u64(28)
        raw([0x0a, 0x00, UInt8(port >> 8), UInt8(port & 0xff), 0, 0, 0, 0] + address + [0, 0, 0, 0])
    }

    /// Appends a `struct mailaddr`: user and domain, each NUL-padded to 256 bytes.
    public mutating func mailaddr(user: String, domain: String) {
        for part in [user, domain] {
            let content = Array(part.utf8)
            raw(content + [UInt8](repeating: 0, count: 256 - content.count))
        }
    }
}

/// The 4 little-endian bytes of `value`, as ``WireWriter/u32(_:)`` appends them.
public func le32(_ value: UInt32) -> [UInt8] {
    var writer = WireWriter()
    writer.u32(value)
    return writer.bytes
}

/// The 4 little-endian bytes of a signed int, as ``WireWriter/int(_:)`` appends them
/// (disfavoured, so that `le32(5)` stays unsigned).
@_disfavoredOverload
public func le32(_ value: Int32) -> [UInt8] {
    var writer = WireWriter()
    writer.int(value)
    return writer.bytes
}

/// The 8 little-endian bytes of `value`, as ``WireWriter/u64(_:)`` appends them.
public func le64(_ value: UInt64) -> [UInt8] {
    var writer = WireWriter()
    writer.u64(value)
    return writer.bytes
}

/// imsg and filter API 52 constants, from the fact sheets.
public enum Wire {
    /// IMSG_FILTER_REGISTER.
    public static let register: UInt32 = 0
    /// IMSG_FILTER_EVENT.
    public static let event: UInt32 = 1
    /// IMSG_FILTER_QUERY.
    public static let query: UInt32 = 2
    /// IMSG_FILTER_PIPE.
    public static let pipe: UInt32 = 3
    /// IMSG_FILTER_RESPONSE.
    public static let response: UInt32 = 4

    /// Event codes.
    public enum Event: Int32, Sendable { case connect = 0, reset, disconnect, txBegin, txCommit, txRollback }
    /// Query codes.
    public enum Query: Int32, Sendable { case connect = 0, helo, mail, rcpt, data, eom }

    /// Encodes an imsg frame: type, total length, flags (1 = has fd), peerid 0, pid.
    public static func frame(type: UInt32, payload: [UInt8], hasDescriptor: Bool = false, pid: UInt32 = 4242) -> [UInt8] {
        var writer = WireWriter()
        writer.u32(type)
        let length = UInt16(truncatingIfNeeded: 16 + payload.count)
        writer.raw([UInt8(length & 0xff), UInt8(length >> 8), hasDescriptor ? 1 : 0, 0])
        writer.u32(0)
        writer.u32(pid)
        writer.raw(payload)
        return writer.bytes
    }

    /// The REGISTER message the daemon sends: u32 version, string name.
    public static func registerPayload(version: UInt32 = 52, name: String) -> [UInt8] {
        var writer = WireWriter()
        writer.u32(version)
        writer.string(name)
        return writer.bytes
    }

    /// An EVENT payload: u64 session, int event.
    public static func eventPayload(session: UInt64, event: Event) -> [UInt8] {
        var writer = WireWriter()
        writer.u64(session)
        writer.int(event.rawValue)
        return writer.bytes
    }

    /// A QUERY payload: u64 session, u64 query id, int type, then `extra`.
    public static func queryPayload(session: UInt64, queryID: UInt64, query: Query, extra: [UInt8] = []) -> [UInt8] {
        var writer = WireWriter()
        writer.u64(session)
        writer.u64(queryID)
        writer.int(query.rawValue)
        writer.raw(extra)
        return writer.bytes
    }
}
