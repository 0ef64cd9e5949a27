import ConfigurationFiles

/// Reads the text of a map file in the format of Postfix's pcre_table(5): rules
/// `/REGEX/FLAGS VALUE` and `!/REGEX/FLAGS VALUE`, blocks `if /REGEX/FLAGS` ... `endif`
/// (nestable, also `if !/REGEX/`), `#` comment lines, blank lines, continuation lines
/// (starting with a blank). Reports every problem as a ``MapDiagnostic``
/// (`FILE:LINE:COLUMN: message`).
///
/// Where Postfix warns and skips a bad line, this parser reports an error, so a map with
/// any mistake is refused as a whole (at start-up; on update the previous map stays).
public enum PCREMapParser {
    /// Parses and compiles `text`, named `file` in diagnostics. `steps` are the rules and
    /// `if` tests in file order; `diagnostics` lists every error in file order (line, then
    /// column). Only use the steps when there is no diagnostic.
    public static func parse(text: String, file: String) -> (steps: [PCREMapStep], diagnostics: [MapDiagnostic]) {
        var (lines, diagnostics) = MapLogicalLine.split(text, file: file)
        var steps: [PCREMapStep] = []
        // The open `if` blocks: their step index (nil when the `if` had errors) and location.
        var open: [(step: Int?, location: SourceLocation)] = []
        for line in lines {
            let start = line.location(0, file: file)
            switch keyword(line.characters) {
            case "if":
                let pattern = MapPattern.scan(line, at: 2, file: file, diagnostics: &diagnostics)
                if let pattern { extraText(line, after: pattern.end, what: "if /regex/", file: file, into: &diagnostics) }
                if let pattern, let regex = pattern.regex {
                    open.append((steps.count, start))
                    steps.append(.condition(regex: regex, negated: pattern.negated, location: start, skipTo: -1))
                } else {
                    open.append((nil, start))
                }
            case "endif":
                extraText(line, after: 5, what: "endif", file: file, into: &diagnostics)
                guard let block = open.popLast() else {
                    diagnostics.append(MapDiagnostic(start, "endif without a matching if"))
                    continue
                }
                if let index = block.step, case let .condition(regex, negated, location, _) = steps[index] {
                    steps[index] = .condition(regex: regex, negated: negated, location: location, skipTo: steps.count)
                }
            default:
                if let entry = rule(line, file: file, diagnostics: &diagnostics) { steps.append(.rule(entry)) }
            }
        }
        for block in open { diagnostics.append(MapDiagnostic(block.location, "if without a matching endif")) }
        // In file order; within a line by column, keeping the order of equal locations.
        let sorted = diagnostics.enumerated().sorted { ($0.element.location, $0.offset) < ($1.element.location, $1.offset) }
        return (steps, sorted.map(\.element))
    }

    /// `if` or `endif` (any case, as Postfix reads them) when the line starts with one
    /// followed by something other than a letter or digit; nil otherwise.
    private static func keyword(_ characters: [Character]) -> String? {
        for word in ["endif", "if"] {
            guard characters.count >= word.count,
                String(characters[0..<word.count]).lowercased() == word
            else { continue }
            if characters.count == word.count { return word }
            let next = characters[word.count]
            if !next.isLetter && !next.isNumber { return word }
        }
        return nil
    }

    /// Reports text after an `if` pattern or `endif`; Postfix ignores it with a warning,
    /// usually a rule indented inside the block and so joined to the line.
    private static func extraText(
        _ line: MapLogicalLine, after offset: Int, what: String, file: String,
        into diagnostics: inout [MapDiagnostic]
    ) {
        var index = offset
        while index < line.characters.count, MapLogicalLine.isBlank(line.characters[index]) { index += 1 }
        guard index < line.characters.count else { return }
        diagnostics.append(
            MapDiagnostic(
                line.location(index, file: file),
                "unexpected text after \(what); an indented line continues the line above, so do not indent rules inside if ... endif"))
    }

    /// A rule line: the pattern, then the value (the rest without surrounding blanks).
    private static func rule(_ line: MapLogicalLine, file: String, diagnostics: inout [MapDiagnostic]) -> PCREMapEntry? {
        let characters = line.characters
        func at(_ offset: Int) -> SourceLocation { line.location(offset, file: file) }
        if let first = characters.first, first.isLetter || first.isNumber {
            diagnostics.append(MapDiagnostic(at(0), "expected a /regex/ at the start of the line, found '\(MapPattern.word(characters, from: 0))'"))
            return nil
        }
        let before = diagnostics.count
        guard let pattern = MapPattern.scan(line, at: 0, file: file, diagnostics: &diagnostics) else { return nil }
        var index = pattern.end
        while index < characters.count, MapLogicalLine.isBlank(characters[index]) { index += 1 }
        var end = characters.count
        while end > index, MapLogicalLine.isBlank(characters[end - 1]) { end -= 1 }
        guard end > index else {
            diagnostics.append(MapDiagnostic(at(characters.count), "expected a value after the regex"))
            return nil
        }
        let valueStart = index
        var value: ValueTemplate?
        do {
            let parsed = try ValueTemplate(parsing: String(characters[valueStart..<end]))
            value = parsed
            if pattern.negated, let reference = parsed.references.first {
                diagnostics.append(
                    MapDiagnostic(
                        at(valueStart + reference.offset),
                        "the value of a negated pattern (!/regex/) cannot refer to groups: nothing matched"))
            } else if let regex = pattern.regex,
                let bad = parsed.references.first(where: { $0.group > regex.captureGroupCount })
            {
                diagnostics.append(
                    MapDiagnostic(
                        at(valueStart + bad.offset),
                        "the value refers to group \(bad.group), but the regex has \(regex.captureGroupCount) capture group(s)"))
            }
        } catch {
            diagnostics.append(MapDiagnostic(at(valueStart + error.offset), error.message))
        }
        guard diagnostics.count == before, let regex = pattern.regex, let value else { return nil }
        return PCREMapEntry(regex: regex, value: value, location: at(0), negated: pattern.negated)
    }
}
