/// A key as the store keeps it: the text itself up to ``maximumBytes``; past that, its
/// first bytes and a hash of the whole, so that a sender's 10 KB address costs the store
/// no more than a short one.
public enum StoreKey {
    /// The longest key kept as it is.
    public static let maximumBytes = 256

    /// `text`, or its bounded form.
    public static func bounded(_ text: String) -> String {
        let bytes = text.utf8
        guard bytes.count > maximumBytes else { return text }
        // FNV-1a over the whole key: not secret, only to tell long keys apart.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0100_0000_01b3
        }
        let head = String(decoding: bytes.prefix(maximumBytes - 40), as: UTF8.self)
        return head + "#" + String(hash, radix: 16) + "/\(bytes.count)"
    }
}
