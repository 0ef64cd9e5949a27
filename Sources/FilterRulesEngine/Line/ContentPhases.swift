/// When the line adapter registers the content phases (data-line and commit) with smtpd.
public enum ContentPhases: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Only when the rules at start have message-stage rules (the default: the
    /// other messages then do not pass through the filter).
    case auto
    /// Always, so that a reload can add content rules without restarting smtpd.
    case always

    /// `auto` or `always`.
    public var description: String { rawValue }
}
