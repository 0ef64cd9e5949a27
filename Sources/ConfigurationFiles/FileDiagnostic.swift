/// One problem in a configuration file (a rules file, a list, a map), at the place it was
/// found: what every reader of these files reports, and what `check` commands print.
public struct FileDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong and what was expected.
    public var message: String

    /// Creates a diagnostic.
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message` (`FILE: message` for the file as a whole).
    public var description: String { "\(location): \(message)" }
}

/// A configuration file that cannot be read as text, at the place of the problem: the file
/// as a whole (it cannot be read), or the line and column of its first byte that is not UTF-8.
public typealias ConfigurationTextError = FileDiagnostic
