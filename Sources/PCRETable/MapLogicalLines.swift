import ConfigurationFiles

/// A logical line of a map file, as Postfix's pcre_table(5) reads them: it starts with
/// non-blank text, and each following line that starts with a blank continues it.
/// Blank lines and `#` comment lines are skipped, also between continuation lines.
struct MapLogicalLine {
    /// The text: the physical lines joined without their line ends (a continuation line
    /// keeps its leading blanks, so joined words stay apart).
    var characters: [Character]
    /// Where each character is in the file (1-based line and column).
    var positions: [(line: Int, column: Int)]

    /// The location of the character at `offset`; past the end, just after the last one.
    func location(_ offset: Int, file: String) -> SourceLocation {
        if offset < positions.count {
            return SourceLocation(file: file, line: positions[offset].line, column: positions[offset].column)
        }
        guard let last = positions.last else { return SourceLocation(file: file, line: 0, column: 0) }
        return SourceLocation(file: file, line: last.line, column: last.column + 1 + (offset - positions.count))
    }

    static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }

    /// Splits `text` into logical lines. A continuation line with nothing before it to
    /// continue (at the start of the file, say) is reported in `diagnostics` and skipped
    /// (Postfix warns and skips it).
    static func split(_ text: String, file: String) -> (lines: [MapLogicalLine], diagnostics: [MapDiagnostic]) {
        var lines: [MapLogicalLine] = []
        var diagnostics: [MapDiagnostic] = []
        var current: MapLogicalLine?
        for (index, physical) in PhysicalLines.split(text).enumerated() {
            let number = index + 1
            guard let first = physical.firstIndex(where: { !isBlank($0) }), physical[first] != "#" else { continue }
            let positions = (0..<physical.count).map { (line: number, column: $0 + 1) }
            if first == 0 {
                if let current { lines.append(current) }
                current = MapLogicalLine(characters: physical, positions: positions)
            } else if current != nil {
                current!.characters += physical
                current!.positions += positions
            } else {
                diagnostics.append(
                    MapDiagnostic(
                        SourceLocation(file: file, line: number, column: 1),
                        "a line starting with blanks continues the previous line, but there is none; remove the leading blanks"))
            }
        }
        if let current { lines.append(current) }
        return (lines, diagnostics)
    }
}
