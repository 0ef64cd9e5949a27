/// Builds an untagged imsg payload the way mproc's `m_add_*` do: native byte order,
/// no padding, strings terminated by NUL.
public struct PayloadWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init() {}

    private mutating func store<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    /// Appends a 16-bit unsigned integer in host order.
    public mutating func appendUInt16(_ value: UInt16) { store(value) }
    /// Appends a 32-bit unsigned integer in host order (`m_add_u32`).
    public mutating func appendUInt32(_ value: UInt32) { store(value) }
    /// Appends a C `int` in host order (`m_add_int`).
    public mutating func appendInt32(_ value: Int32) { store(value) }
    /// Appends a 64-bit id in host order (`m_add_id`).
    public mutating func appendUInt64(_ value: UInt64) { store(value) }
    /// Appends a `size_t` (8 bytes on 64-bit Linux).
    public mutating func appendSize(_ value: UInt64) { store(value) }

    /// Appends raw bytes.
    public mutating func appendBytes<Bytes: Sequence>(_ value: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: value)
    }

    /// Appends a string and its NUL terminator (`m_add_string`). NUL bytes inside the string
    /// would cut it short on the other side, so they are replaced by spaces.
    public mutating func appendString(_ value: String) {
        bytes.append(contentsOf: value.utf8.map { $0 == 0 ? 0x20 : $0 })
        bytes.append(0)
    }

    /// Appends a fixed-size NUL-padded character array, truncating so that a NUL always fits.
    public mutating func appendFixedString(_ value: String, size: Int) {
        let content = Array(value.utf8.prefix(size - 1)).map { $0 == 0 ? 0x20 : $0 }
        bytes.append(contentsOf: content)
        bytes.append(contentsOf: repeatElement(0, count: size - content.count))
    }

    /// Appends a socket address as `m_add_sockaddr` writes it.
    public mutating func appendSockaddr(_ value: Sockaddr) {
        appendSize(UInt64(value.rawBytes.count))
        bytes.append(contentsOf: value.rawBytes)
    }

    /// Appends a `struct mailaddr` (512 bytes).
    public mutating func appendMailAddress(_ value: MailAddress) {
        appendFixedString(value.user, size: MailAddress.fieldSize)
        appendFixedString(value.domain, size: MailAddress.fieldSize)
    }
}
