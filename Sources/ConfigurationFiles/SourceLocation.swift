/// A place in a configuration file (a rules file, a list, a table map): file name, 1-based
/// line and column.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The file's path as given by the administrator.
    public var file: String
    /// The physical line, 1-based; 0 means the file as a whole.
    public var line: Int
    /// The column in characters, 1-based; 0 means the line as a whole.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COLUMN`, shortened when line or column are unknown.
    public var description: String {
        if line == 0 { return file }
        if column == 0 { return "\(file):\(line)" }
        return "\(file):\(line):\(column)"
    }

    /// `FILE:LINE`, as rules are named in logs and reports.
    public var fileAndLine: String { line == 0 ? file : "\(file):\(line)" }

    /// Orders by file, then line, then column.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
