import ConfigurationFiles

/// The format a rules file is read in, and why: a `#format` line before the first rule
/// forces it; otherwise the first rule line decides, by its ``LineShape``.
struct FormatChoice {
    /// What decided the format.
    enum Basis: Equatable {
        /// A `#format` line, at this line number.
        case directive(line: Int)
        /// The first rule line, at this line number, and how it reads.
        case firstRule(line: Int, shape: LineShape)
        /// Nothing: the file has no rule (the rules format, which then holds nothing to conflict with).
        case noRule
    }

    /// The format.
    let format: RuleFileFormat
    /// What decided it.
    let basis: Basis
    /// `#format` lines that are wrong or misplaced.
    let diagnostics: [RuleDiagnostic]

    /// Chooses the format of the file `file` whose physical lines are `lines`.
    init(_ lines: [[Character]], file: String) {
        var diagnostics: [RuleDiagnostic] = []
        var directive: (format: RuleFileFormat, line: Int)?
        var firstRule: (line: Int, shape: LineShape)?
        for (index, line) in lines.enumerated() {
            let number = index + 1
            guard let start = line.firstIndex(where: { $0 != " " && $0 != "\t" }) else { continue }
            guard line[start] == "#" else {
                if firstRule == nil { firstRule = (number, LineShape(line, continued: line.last == "\\")) }
                continue
            }
            func report(_ offset: Int, _ message: String) {
                diagnostics.append(RuleDiagnostic(SourceLocation(file: file, line: number, column: offset + 1), message))
            }
            switch FormatDirective.parse(line) {
            case nil:
                continue
            case .failure(let failure):
                report(failure.offset, failure.message)
            case .success(let format):
                if let firstRule {
                    report(
                        start,
                        "'#format \(format)' after the first rule (line \(firstRule.line)) has no effect, "
                            + "expected it before any rule; move it to the top of the file")
                } else if let directive {
                    report(
                        start,
                        "'#format' again, expected it once; the format is already set on line \(directive.line), "
                            + "remove this line")
                } else {
                    directive = (format, number)
                }
            }
        }
        self.diagnostics = diagnostics
        if let directive {
            format = directive.format
            basis = .directive(line: directive.line)
        } else if let firstRule {
            if case .legacy = firstRule.shape { format = .legacyFilterRegex } else { format = .rules }
            basis = .firstRule(line: firstRule.line, shape: firstRule.shape)
        } else {
            format = .rules
            basis = .noRule
        }
    }
}
