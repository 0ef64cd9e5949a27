/// A bound on the time regex matching may take, in whole milliseconds; zero means none.
/// Written in a rules file as `50ms`, `2s` or `0`.
public struct TimeLimit: Sendable, Hashable, CustomStringConvertible {
    /// The limit in milliseconds; 0 means no limit.
    public var milliseconds: UInt32

    /// A limit of `milliseconds` (0 for none).
    public init(milliseconds: UInt32) {
        self.milliseconds = milliseconds
    }

    /// No limit.
    public static let unlimited = TimeLimit(milliseconds: 0)

    /// Whether there is no limit.
    @inlinable
    public var isUnlimited: Bool { milliseconds == 0 }

    /// The limit in nanoseconds.
    @inlinable
    public var nanoseconds: UInt64 { UInt64(milliseconds) * 1_000_000 }

    /// As a rules file writes it: `50ms`, `1s`, `1500ms`, or `0` for none.
    public var description: String {
        if isUnlimited { return "0" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    /// Parses digits followed by `ms` or `s` (`50ms`, `2s`, in any case), or a bare `0`
    /// for none; nil when malformed or above 4294967295 ms.
    public static func parse(_ text: String) -> TimeLimit? {
        let lowered = text.lowercased()
        if lowered == "0" { return .unlimited }
        let (digits, multiplier): (Substring, UInt64)
        if lowered.hasSuffix("ms") {
            (digits, multiplier) = (lowered.dropLast(2), 1)
        } else if lowered.hasSuffix("s") {
            (digits, multiplier) = (lowered.dropLast(1), 1000)
        } else {
            return nil
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = UInt64(digits),
            number <= UInt64(UInt32.max) / multiplier
        else { return nil }
        return TimeLimit(milliseconds: UInt32(number * multiplier))
    }
}
