/// Reads the untagged values of an imsg payload in order, as mproc's `m_get_*` do:
/// native byte order, no padding, strings terminated by NUL.
public struct PayloadReader: Sendable {
    private let bytes: ArraySlice<UInt8>
    private var index: Int
    /// What is being decoded, for error messages (e.g. "QUERY_HELO").
    public var context: String

    /// Creates a reader over `bytes`.
    public init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.context = context
    }

    /// Creates a reader over `bytes`.
    public init(_ bytes: [UInt8], context: String) {
        self.init(bytes[...], context: context)
    }

    /// Bytes not read yet.
    public var remainingCount: Int { bytes.endIndex - index }

    /// Whether every byte has been read (mproc's `m_is_eom`).
    public var isAtEnd: Bool { index == bytes.endIndex }

    private mutating func take(_ count: Int) throws(ProtocolError) -> ArraySlice<UInt8> {
        guard remainingCount >= count else {
            throw .payloadTooShort(context: context, needed: count, remaining: remainingCount)
        }
        defer { index += count }
        return bytes[index..<index + count]
    }

    private mutating func load<T: FixedWidthInteger>(_: T.Type) throws(ProtocolError) -> T {
        let slice = try take(MemoryLayout<T>.size)
        return slice.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
    }

    /// Reads a 16-bit unsigned integer in host order.
    public mutating func readUInt16() throws(ProtocolError) -> UInt16 { try load(UInt16.self) }
    /// Reads a 32-bit unsigned integer in host order (`m_get_u32`).
    public mutating func readUInt32() throws(ProtocolError) -> UInt32 { try load(UInt32.self) }
    /// Reads a C `int` in host order (`m_get_int`).
    public mutating func readInt32() throws(ProtocolError) -> Int32 { try load(Int32.self) }
    /// Reads a 64-bit id in host order (`m_get_id`).
    public mutating func readUInt64() throws(ProtocolError) -> UInt64 { try load(UInt64.self) }
    /// Reads a `size_t` (8 bytes on 64-bit Linux).
    public mutating func readSize() throws(ProtocolError) -> UInt64 { try load(UInt64.self) }

    /// Reads `count` raw bytes.
    public mutating func readBytes(_ count: Int) throws(ProtocolError) -> [UInt8] {
        Array(try take(count))
    }

    /// Reads the raw bytes of a NUL-terminated string (without the NUL) and consumes the NUL.
    public mutating func readStringBytes() throws(ProtocolError) -> [UInt8] {
        guard let end = bytes[index...].firstIndex(of: 0) else {
            throw .unterminatedString(context: context)
        }
        defer { index = end + 1 }
        return Array(bytes[index..<end])
    }

    /// Reads a NUL-terminated string (`m_get_string`); invalid UTF-8 is repaired.
    public mutating func readString() throws(ProtocolError) -> String {
        String(decoding: try readStringBytes(), as: UTF8.self)
    }

    /// Reads a fixed-size, NUL-padded character array such as `char user[256]`.
    public mutating func readFixedString(size: Int) throws(ProtocolError) -> String {
        let field = try take(size)
        guard let end = field.firstIndex(of: 0) else {
            throw .unterminatedString(context: context)
        }
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    /// Reads a socket address as `m_add_sockaddr` writes it: a `size_t` length, then the
    /// raw `struct sockaddr_*`.
    public mutating func readSockaddr() throws(ProtocolError) -> Sockaddr {
        let length = try readSize()
        guard length >= 2, length <= 128 else {
            throw .lengthOutOfRange(context: "\(context) sockaddr", length: length)
        }
        return Sockaddr(rawBytes: try readBytes(Int(length)))
    }

    /// Reads a `struct mailaddr`: `char user[256]` then `char domain[256]`.
    public mutating func readMailAddress() throws(ProtocolError) -> MailAddress {
        let user = try readFixedString(size: MailAddress.fieldSize)
        let domain = try readFixedString(size: MailAddress.fieldSize)
        return MailAddress(user: user, domain: domain)
    }

    /// Fails when bytes are left (mproc's `m_end`).
    public func finish() throws(ProtocolError) {
        if !isAtEnd { throw .trailingBytes(context: context, count: remainingCount) }
    }
}
