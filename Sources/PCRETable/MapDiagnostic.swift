import ConfigurationFiles

/// One problem in a map file, at the place it was found.
public typealias MapDiagnostic = FileDiagnostic

/// A map file that cannot be used, with every problem found in it, in file order.
public struct MapFileError: Error, Sendable, CustomStringConvertible {
    /// The problems, sorted by location.
    public var diagnostics: [MapDiagnostic]

    /// Creates the error from its diagnostics.
    public init(_ diagnostics: [MapDiagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    /// The error of a map file that cannot be read as text.
    public init(_ error: ConfigurationTextError) {
        self.init([error])
    }

    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
