import ConfigurationFiles

/// One logical line of a rules file: physical lines joined at trailing backslashes, with a
/// map back to physical positions so every diagnostic names the line and column as written.
struct LogicalLine {
    /// The characters, continuations joined by one space.
    var characters: [Character]
    /// The file's path.
    var file: String
    /// For each joined piece, in order: its offset in `characters` and its physical line number.
    var pieces: [(offset: Int, line: Int)]

    /// The physical location of a character offset (or the end of the line).
    func location(at offset: Int) -> SourceLocation {
        // The last piece starting at or before `offset` (pieces are sorted by offset).
        var low = 0, high = pieces.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if pieces[middle].offset <= offset { low = middle } else { high = middle - 1 }
        }
        let piece = pieces[low]
        return SourceLocation(file: file, line: piece.line, column: offset - piece.offset + 1)
    }

    /// Whether the line was joined from more than one physical line.
    var isContinued: Bool { pieces.count > 1 }

    /// The text of the line, trimmed, for reports.
    var text: String { String(characters).trimmingWhitespace() }

    /// Splits a file's text into logical lines.
    static func split(_ text: String, file: String) -> [LogicalLine] {
        split(PhysicalLines.split(text), file: file)
    }

    /// Joins physical lines (line 1 first) into logical lines, in time linear in their length.
    static func split(_ physicalLines: [[Character]], file: String) -> [LogicalLine] {
        var result: [LogicalLine] = []
        // The logical line being joined; `isOpen` while its last piece ended in a backslash.
        var characters: [Character] = []
        var pieces: [(offset: Int, line: Int)] = []
        var isOpen = false
        for (index, physical) in physicalLines.enumerated() {
            // A comment line ends where it ends: a backslash at its end continues nothing.
            let isComment = !isOpen && physical.first(where: { $0 != " " && $0 != "\t" }) == "#"
            let continues = !isComment && physical.last == "\\"
            if isOpen {
                characters.append(" ")
            }
            pieces.append((offset: characters.count, line: index + 1))
            characters.append(contentsOf: continues ? physical.dropLast() : physical[...])
            isOpen = continues
            if !continues {
                result.append(LogicalLine(characters: characters, file: file, pieces: pieces))
                characters = []
                pieces = []
            }
        }
        if isOpen { result.append(LogicalLine(characters: characters, file: file, pieces: pieces)) }
        // The empty line after the file's last line feed is no line.
        if let last = result.last, !last.isContinued, last.characters.isEmpty, physicalLines.last?.isEmpty ?? true {
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
