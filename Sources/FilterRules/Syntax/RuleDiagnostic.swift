import ConfigurationFiles

/// One problem in a rules file, at the place it was found.
public struct RuleDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong and what was expected.
    public var message: String

    /// Creates a diagnostic.
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message`.
    public var description: String { "\(location): \(message)" }
}

/// A rules file that cannot be used, with every problem found in it, in file order.
public struct RulesFileError: Error, Sendable, CustomStringConvertible {
    /// The problems, sorted by location.
    public var diagnostics: [RuleDiagnostic]

    /// Creates the error from its diagnostics.
    public init(_ diagnostics: [RuleDiagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
