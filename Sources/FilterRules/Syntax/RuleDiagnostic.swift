import ConfigurationFiles

/// One problem in a rules file (or one of its list files), at the place it was found.
public typealias RuleDiagnostic = FileDiagnostic

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
