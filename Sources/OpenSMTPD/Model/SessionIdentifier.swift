/// Session ids (and line-protocol tokens) as smtpd writes them.
public enum SessionIdentifier {
    /// `id` as 16 lowercase hex digits, zero-padded, as smtpd logs and sends it.
    public static func hex(_ id: UInt64) -> String {
        let digits = String(id, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
