import ConfigurationFiles

/// Something in a rules file that works but probably not as meant, at the place it was
/// found: the file is used all the same.
public struct RuleWarning: Hashable, Sendable, CustomStringConvertible {
    /// Where it is.
    public var location: SourceLocation
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates a warning.
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COLUMN: warning: message`, as `check` prints it.
    public var description: String { "\(location): warning: \(message)" }

    /// `FILE:LINE:COLUMN: message`, for a log line whose level already says warning.
    public var logText: String { "\(location): \(message)" }
}
