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
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isASCIIDigit) }),
              let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.init(major: major, minor: minor)
    }

    /// Whether answers carry the token before the session id (`filter-result|TOKEN|SESSION|...`),
    /// as protocol 0.4 of OpenSMTPD 6.6 has it; later versions put the session first.
    public var answersWithTokenFirst: Bool { self < LineProtocolVersion(major: 0, minor: 5) }

    /// Whether `tx-mail` and `tx-rcpt` reports carry `message-id|result|address` (0.6 and
    /// later) rather than `message-id|address|result`.
    public var transactionReportsHaveResultFirst: Bool { self >= LineProtocolVersion(major: 0, minor: 6) }

    /// Whether `link-auth` reports carry `result|username` (0.7 and later) rather than
    /// `username|result`.
    public var authReportsHaveResultFirst: Bool { self >= LineProtocolVersion(major: 0, minor: 7) }

    /// `MAJOR.MINOR`.
    public var description: String { "\(major).\(minor)" }

    /// Orders versions by major, then minor number.
    public static func < (lhs: LineProtocolVersion, rhs: LineProtocolVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}

extension Character {
    /// An ASCII digit 0-9.
    var isASCIIDigit: Bool { isASCII && isNumber }
}
