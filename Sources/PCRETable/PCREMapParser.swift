import FilterRules

/// Reads the text of a map file: one `/REGEX/FLAGS VALUE` per line, `#` comment lines and
/// blank lines. Reports every problem as a ``RuleDiagnostic`` (`FILE:LINE:COLUMN: message`),
/// in the words and with the columns the rules file uses.
public enum PCREMapParser {
    /// Parses and compiles `text`, named `file` in diagnostics. Lines with errors are left
    /// out of `entries`; `diagnostics` lists every error in file order (line, then column).
    public static func parse(text: String, file: String) -> (entries: [PCREMapEntry], diagnostics: [RuleDiagnostic]) {
        var entries: [PCREMapEntry] = []
        var diagnostics: [RuleDiagnostic] = []
        var lineNumber = 0
        for characters in PhysicalLines.split(text) {
            lineNumber += 1
            switch parseLine(characters, file: file, line: lineNumber) {
            case .none: break
            case let .entry(entry): entries.append(entry)
            case let .errors(found): diagnostics += found
            }
        }
        // In file order; within a line by column, keeping the order of equal locations.
        let sorted = diagnostics.enumerated().sorted { ($0.element.location, $0.offset) < ($1.element.location, $1.offset) }
        return (entries, sorted.map(\.element))
    }

    private enum LineResult {
        case none
        case entry(PCREMapEntry)
        case errors([RuleDiagnostic])
    }

    private static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }

    private static func parseLine(_ line: [Character], file: String, line number: Int) -> LineResult {
        func at(_ offset: Int) -> SourceLocation { SourceLocation(file: file, line: number, column: offset + 1) }
        var index = 0
        while index < line.count, isBlank(line[index]) { index += 1 }
        if index == line.count || line[index] == "#" { return .none }
        guard line[index] == "/" else {
            var end = index
            while end < line.count, !isBlank(line[end]) { end += 1 }
            let word = String(line[index..<end])
            return .errors([RuleDiagnostic(at(index), "expected a /regex/ at the start of the line, found '\(word)'")])
        }
        // The regex, as the rules file reads it.
        let opening = index
        guard let (source, regexEnd) = RegexLiteral.scan(line, openingAt: opening) else {
            return .errors([RuleDiagnostic(at(opening), "unterminated regex, expected a closing '/'")])
        }
        index = regexEnd
        var diagnostics: [RuleDiagnostic] = []
        let flagsStart = index
        while index < line.count, !isBlank(line[index]) { index += 1 }
        var flags = RegexFlags()
        switch RegexFlags.parse(Substring(String(line[flagsStart..<index]))) {
        case let .success(parsed): flags = parsed
        case let .failure(failure): diagnostics.append(RuleDiagnostic(at(flagsStart + failure.offset), failure.message))
        }
        var regex: PCRE2Regex?
        do {
            regex = try PCRE2Regex(pattern: source, flags: flags)
        } catch {
            let column = opening + 1 + ConfigurationText.characterCount(ofUTF8Prefix: error.offset, in: source)
            diagnostics.append(RuleDiagnostic(at(column), "regex error: \(error.message) (PCRE2 at offset \(error.offset))"))
        }
        // The value: the rest of the line without surrounding blanks.
        while index < line.count, isBlank(line[index]) { index += 1 }
        var end = line.count
        while end > index, isBlank(line[end - 1]) { end -= 1 }
        guard end > index else {
            diagnostics.append(RuleDiagnostic(at(line.count), "expected a value after the regex"))
            return .errors(diagnostics)
        }
        let valueStart = index
        var value: ValueTemplate?
        do {
            let parsed = try ValueTemplate(parsing: String(line[valueStart..<end]))
            value = parsed
            if let regex, let bad = parsed.references.first(where: { $0.group > regex.captureGroupCount }) {
                diagnostics.append(RuleDiagnostic(at(valueStart + bad.offset),
                    "the value refers to group \(bad.group), but the regex has \(regex.captureGroupCount) capture group(s)"))
            }
        } catch {
            diagnostics.append(RuleDiagnostic(at(valueStart + error.offset), error.message))
        }
        guard diagnostics.isEmpty, let regex, let value else { return .errors(diagnostics) }
        return .entry(PCREMapEntry(regex: regex, value: value, location: at(0)))
    }
}
