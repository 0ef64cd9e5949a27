extension UInt64 {
    /// The value as 16 lowercase hex digits, zero-padded: how smtpd writes session ids (so
    /// the engine's log lines match smtpd's), and the prefilter cache's file names.
    public var sixteenHexDigits: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
