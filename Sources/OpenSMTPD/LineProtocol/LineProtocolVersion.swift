/// The version of OpenSMTPD's line-based filter protocol, carried in every `report` and
/// `filter` line (`0.4` in 6.6, `0.5`–`0.6` in 6.7/6.8, `0.7` in 7.x).
public struct LineProtocolVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// The major number; only 0 exists.
    public var major: Int
    /// The minor number.
    public var minor: Int

    /// The oldest version this library speaks (OpenSMTPD 6.6).
    public static let oldest = LineProtocolVersion(major: 0, minor: 4)
    /// The newest version this library knows in detail (OpenSMTPD 7.x).
    public static let newest = LineProtocolVersion(major: 0, minor: 7)

    /// Creates a version from its numbers.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `MAJOR.MINOR` (digits only); nil for anything else.
    public init?(_ text: Substring) {
        self.init(ascii: Array(text.utf8)[...])
    }

    /// Parses `MAJOR.MINOR` from ASCII bytes (1 to 6 digits each), without allocating:
    /// every line of the protocol carries a version.
    init?<Bytes: Collection<UInt8>>(ascii bytes: Bytes) {
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let major = Self.number(bytes[..<dot]), let minor = Self.number(bytes[bytes.index(after: dot)...])
        else { return nil }
        self.init(major: major, minor: minor)
    }

    private static func number<Digits: Collection<UInt8>>(_ digits: Digits) -> Int? {
        guard (1...6).contains(digits.count) else { return nil }
        var value = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    /// Whether answers carry the token before the session id (`filter-result|TOKEN|SESSION|...`),
    /// as protocol 0.4 of OpenSMTPD 6.6 has it; later versions put the session first.
    ///
    /// The other differences between versions concern reports: 0.6 swaps the parameters of
    /// `tx-mail` and `tx-rcpt` (which this library does not read), 0.7 those of `link-auth`
    /// (read in the line's order, see `LineFilter.authFields`).
    public var answersWithTokenFirst: Bool { self < LineProtocolVersion(major: 0, minor: 5) }

    /// `MAJOR.MINOR`.
    public var description: String { "\(major).\(minor)" }

    /// Orders versions by major, then minor number.
    public static func < (lhs: LineProtocolVersion, rhs: LineProtocolVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}
