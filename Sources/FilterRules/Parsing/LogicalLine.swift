/// One logical line of a rules file: physical lines joined at trailing backslashes, with a
/// map back to physical positions so every diagnostic names the line and column as written.
struct LogicalLine {
    /// The characters, continuations joined by one space.
    var characters: [Character]
    /// The file's path.
    var file: String
    /// For each joined piece: its offset in `characters` and its physical line number.
    var pieces: [(offset: Int, line: Int)]

    /// The physical location of a character offset (or the end of the line).
    func location(at offset: Int) -> SourceLocation {
        var piece = pieces[0]
        for candidate in pieces where candidate.offset <= offset { piece = candidate }
        return SourceLocation(file: file, line: piece.line, column: offset - piece.offset + 1)
    }

    /// The text of the line, trimmed, for reports.
    var text: String { String(characters).trimmingWhitespace() }

    /// Splits a file's text into logical lines.
    static func split(_ text: String, file: String) -> [LogicalLine] {
        var result: [LogicalLine] = []
        var current: LogicalLine?
        var lineNumber = 0
        for physical in PhysicalLines.split(text) {
            lineNumber += 1
            var characters = physical
            // A comment line ends where it ends: a backslash at its end continues nothing.
            let isComment = current == nil && characters.first(where: { $0 != " " && $0 != "\t" }) == "#"
            let continues = !isComment && characters.last == "\\"
            if continues { characters.removeLast() }
            if var line = current {
                line.pieces.append((offset: line.characters.count + 1, line: lineNumber))
                line.characters.append(" ")
                line.characters += characters
                current = line
            } else {
                current = LogicalLine(characters: characters, file: file, pieces: [(offset: 0, line: lineNumber)])
            }
            if !continues, let line = current {
                result.append(line)
                current = nil
            }
        }
        if let line = current { result.append(line) }
        if let last = result.last, last.pieces.count == 1, last.characters.isEmpty,
           text.hasSuffix("\n") || text.isEmpty {
            result.removeLast()
        }
        return result
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
