
/// Reads, parses and compiles rules files, reporting every problem at once.
public enum RuleSetLoader {
    /// Reads and compiles the file at `path`.
    ///
    /// - Parameters:
    ///   - carryingHitsFrom: a previous set whose counts carry over to identical rules (same
    ///     stage and text), so reloads keep the counts since start.
    ///   - matching: how the stages find their first matching rule.
    public static func load(path: String, carryingHitsFrom previous: CompiledRuleSet? = nil,
                            matching: StageMatching = .sequential) throws(RulesFileError) -> CompiledRuleSet {
        return try compile(text: ConfigurationText.read(path: path), file: path, carryingHitsFrom: previous, matching: matching)
    }

    /// Parses `text` (named `file` in diagnostics) without compiling regexes.
    public static func parse(text: String, file: String) throws(RulesFileError) -> RuleFile {
        let (parsed, diagnostics) = parseEveryLine(text: text, file: file)
        guard diagnostics.isEmpty else { throw RulesFileError(diagnostics) }
        return parsed
    }

    /// Parses `text` in the format it is read in: the rules of the lines that parsed, and
    /// every syntax error.
    static func parseEveryLine(text: String, file: String) -> (file: RuleFile, diagnostics: [RuleDiagnostic]) {
        let lines = PhysicalLines.split(text)
        let choice = FormatChoice(lines, file: file)
        switch choice.format {
        case .legacyFilterRegex:
            var parser = LegacyRulesParser(choice: choice)
            parser.parse(lines, file: file)
            return (RuleFile(path: file, format: .legacyFilterRegex, options: RuleOptions(), rules: parser.rules),
                    choice.diagnostics + parser.diagnostics)
        case .rules:
            var parser = RulesParser(choice: choice)
            parser.parse(LogicalLine.split(lines, file: file))
            return (RuleFile(path: file, format: .rules, options: parser.options, rules: parser.rules),
                    choice.diagnostics + parser.diagnostics)
        }
    }

    /// Parses and compiles `text`; every syntax and regex error is reported together, and
    /// the set carries the warnings about the file. `matching` says how the stages find
    /// their first matching rule (a prefilter starts building in the background).
    public static func compile(text: String, file: String, carryingHitsFrom previous: CompiledRuleSet? = nil,
                               matching: StageMatching = .sequential) throws(RulesFileError) -> CompiledRuleSet {
        // The regexes of the lines that parsed are compiled too, so their errors are reported with the others.
        let (parsed, syntaxErrors) = parseEveryLine(text: text, file: file)
        let (compiled, regexErrors) = compileRules(parsed.rules)
        guard syntaxErrors.isEmpty && regexErrors.isEmpty else { throw RulesFileError(syntaxErrors + regexErrors) }
        var initial = Array(repeating: 0, count: compiled.count)
        if let previous {
            var old: [String: [Int]] = [:]
            let counts = previous.hits.snapshot
            for rule in previous.rules { old["\(rule.rule.stage) \(rule.rule.source)", default: []].append(counts[rule.index]) }
            for rule in compiled {
                let key = "\(rule.rule.stage) \(rule.rule.source)"
                if var list = old[key], !list.isEmpty {
                    initial[rule.index] = list.removeFirst()
                    old[key] = list
                }
            }
        }
        return CompiledRuleSet(file: parsed, rules: compiled, hits: HitCounters(count: compiled.count, initial: initial),
                               warnings: warnings(for: parsed), matcherFactory: matching.matcher(for:))
    }

    /// What a file without rules is warned about, unless it says `set allow-empty on`.
    public static let noRulesWarning = "the file has no rules, so every query is accepted; if that is meant, put "
        + "'set allow-empty on' in it: without it a reload to a file without rules is refused while rules are in force"

    /// The warnings about `file`: no rules (see ``noRulesWarning``), and regexes of a
    /// catastrophic shape, pointed at the inner repeat (see ``CatastrophicShape``).
    static func warnings(for file: RuleFile) -> [RuleWarning] {
        if file.rules.isEmpty && !file.options.allowEmpty {
            return [RuleWarning(SourceLocation(file: file.path, line: 0, column: 0), noRulesWarning)]
        }
        return file.rules.flatMap { rule in
            var warnings: [RuleWarning] = []
            if case .regex(let source, let flags, _) = rule.pattern,
               let shape = CatastrophicShape.find(in: source, flags: flags),
               let location = rule.regexLocation(atUTF8Offset: shape.offset) {
                warnings.append(RuleWarning(location, shape.message))
            }
            if let reference = rule.template?.references.first, let why = emptyCaptureReason(rule) {
                warnings.append(RuleWarning(reference.location, "$\(reference.group) is always empty here: \(why)"))
            }
            return warnings
        }
    }

    /// Why the rule's captures are always empty (a negated rule, an address block), nil
    /// when its regex can capture.
    static func emptyCaptureReason(_ rule: Rule) -> String? {
        if case .cidr = rule.pattern { return "an address block captures nothing" }
        if rule.isNegated { return "the rule is negated, it matches when its regex does not, so there is no match to capture from" }
        return nil
    }

    /// Compiles each rule's pattern; regex errors point at PCRE2's offset in the file.
    static func compileRules(_ rules: [Rule]) -> (rules: [CompiledRule], diagnostics: [RuleDiagnostic]) {
        var compiled: [CompiledRule] = []
        var diagnostics: [RuleDiagnostic] = []
        for rule in rules {
            switch rule.pattern {
            case .cidr(let block):
                compiled.append(CompiledRule(rule: rule, index: compiled.count, predicate: .cidr(block)))
            case .regex(let source, let flags, let location):
                do {
                    let regex = try PCRE2Regex(pattern: source, flags: flags)
                    let groups = regex.captureGroupCount
                    let missing = rule.template?.references.filter { $0.group > groups } ?? []
                    for reference in missing {
                        let has = groups == 0 ? "the regex has no groups" : "the regex has only \(groups) group\(groups == 1 ? "" : "s")"
                        diagnostics.append(RuleDiagnostic(reference.location,
                            "$\(reference.group) refers to group \(reference.group), but \(has) (write $$ for a dollar sign)"))
                    }
                    guard missing.isEmpty else { continue }
                    compiled.append(CompiledRule(rule: rule, index: compiled.count, predicate: .regex(regex)))
                } catch {
                    let at = rule.regexLocation(atUTF8Offset: error.offset) ?? location
                    diagnostics.append(RuleDiagnostic(at, "regex error: \(error.message) (PCRE2 at offset \(error.offset))"))
                }
            }
        }
        return (compiled, diagnostics)
    }
}
