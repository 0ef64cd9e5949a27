import ConfigurationFiles
import DNSLists
import PCRE2Matching

/// Reads, parses and compiles rules files, reporting every problem at once.
public enum RuleSetLoader {
    /// Reads and compiles the file at `path`.
    ///
    /// - Parameters:
    ///   - carryingHitsFrom: a previous set whose counts carry over to identical rules (same
    ///     stage and text), so reloads keep the counts since start, and whose compiled
    ///     regexes are reused for the same source and flags (a reload compiles what changed).
    ///   - matching: how the stages find their first matching rule.
    public static func load(
        path: String, carryingHitsFrom previous: CompiledRuleSet? = nil,
        matching: StageMatching = .sequential
    ) throws(RulesFileError) -> CompiledRuleSet {
        let text: String
        do {
            text = try ConfigurationText.read(path: path)
        } catch {
            throw RulesFileError([error])
        }
        return try compile(text: text, file: path, carryingHitsFrom: previous, matching: matching)
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
            return (
                RuleFile(path: file, format: .legacyFilterRegex, options: RuleOptions(), rules: parser.rules),
                choice.diagnostics + parser.diagnostics
            )
        case .rules:
            var parser = RulesParser(choice: choice)
            parser.parse(LogicalLine.split(lines, file: file))
            return (
                RuleFile(path: file, format: .rules, options: parser.options, rules: parser.rules),
                choice.diagnostics + parser.diagnostics
            )
        }
    }

    /// Parses and compiles `text`; every syntax and regex error is reported together, and
    /// the set carries the warnings about the file. `matching` says how the stages find
    /// their first matching rule (a prefilter starts building in the background).
    public static func compile(
        text: String, file: String, carryingHitsFrom previous: CompiledRuleSet? = nil,
        matching: StageMatching = .sequential
    ) throws(RulesFileError) -> CompiledRuleSet {
        // The regexes of the lines that parsed are compiled too, so their errors are reported with the others.
        let (parsed, syntaxErrors) = parseEveryLine(text: text, file: file)
        let (declared, listErrors) = RuleDeclarations.of(parsed.options)
        let (compiled, regexErrors) = compileRules(
            parsed.rules, file: file, allowEmptyLists: parsed.options.allowEmpty, reusing: previous.map(CompiledRegexes.init(of:)),
            declared: declared)
        guard syntaxErrors.isEmpty && listErrors.isEmpty && regexErrors.isEmpty else {
            throw RulesFileError(syntaxErrors + listErrors + regexErrors)
        }
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
        return CompiledRuleSet(
            file: parsed, rules: compiled, hits: HitCounters(count: compiled.count, initial: initial),
            warnings: warnings(for: parsed), listEntryCounts: listEntryCounts(compiled, file: file),
            matcherFactory: matching.matcher(for:))
    }

    /// How many entries each list file of `rules` has, by its path resolved from `file`
    /// (the rules file), as ``CompiledRuleSet/listEntryCounts`` keeps them.
    static func listEntryCounts(_ rules: [CompiledRule], file: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for rule in rules {
            for term in rule.combined?.terms ?? [rule.term] {
                if case .list(let list) = term.predicate, case .list(let path, _) = term.term.pattern {
                    counts[ListFile.resolve(path, relativeTo: file)] = list.count
                }
            }
        }
        return counts
    }

    /// What a file without rules is warned about, unless it says `set allow-empty on`.
    public static let noRulesWarning =
        "the file has no rules, so every query is accepted; if that is meant, put "
        + "'set allow-empty on' in it: without it a reload to a file without rules is refused while rules are in force"

    /// The warnings about `file`: no rules (see ``noRulesWarning``), and regexes of a
    /// catastrophic shape, pointed at the inner repeat (see ``CatastrophicShape``).
    static func warnings(for file: RuleFile) -> [RuleWarning] {
        if file.rules.isEmpty && !file.options.allowEmpty {
            return [RuleWarning(SourceLocation(file: file.path, line: 0, column: 0), noRulesWarning)]
        }
        return ScoreReach.warnings(for: file.rules)
            + file.rules.parallelMap { rule in
                var warnings: [RuleWarning] = []
                for term in rule.terms {
                    if case .regex(let source, let flags, _) = term.pattern,
                        let shape = CatastrophicShape.find(in: source, flags: flags),
                        let location = term.regexLocation(atUTF8Offset: shape.offset)
                    {
                        warnings.append(RuleWarning(location, shape.message))
                    }
                }
                if let reference = rule.template?.references.first, let why = emptyCaptureReason(rule) {
                    warnings.append(RuleWarning(reference.location, "$\(reference.group) is always empty here: \(why)"))
                }
                if rule.template?.usesListText == true, !rule.terms.contains(where: { $0.pattern.isDNSList && !$0.isNegated }) {
                    warnings.append(RuleWarning(rule.location, "$txt is always empty here: no term of the rule is 'listed NAME' (not negated)"))
                }
                return warnings
            }.flatMap { $0 }
    }

    /// Why the rule's captures are always empty (a negated rule, an address block), nil
    /// when its regex can capture.
    static func emptyCaptureReason(_ rule: Rule) -> String? {
        guard rule.expression == nil else {
            let capturing = rule.terms.contains {
                if case .regex = $0.pattern { return !$0.isNegated }; return false
            }
            return capturing ? nil : "no term of the rule is a regex that can capture (negated terms, address blocks and lists capture nothing)"
        }
        if case .cidr = rule.pattern { return "an address block captures nothing" }
        if case .list = rule.pattern { return "a list captures nothing" }
        if rule.isNegated { return "the rule is negated, it matches when its regex does not, so there is no match to capture from" }
        return nil
    }

    /// Compiles each rule's patterns (every term's); regex errors point at PCRE2's offset in
    /// the file, list files are read (relative to `file`, the rules file), and are errors
    /// when they have no entries unless `allowEmptyLists` (see ``ListFile``).
    static func compileRules(
        _ rules: [Rule], file: String = "",
        allowEmptyLists: Bool = false, reusing earlier: CompiledRegexes? = nil, declared: RuleDeclarations = RuleDeclarations()
    ) -> (rules: [CompiledRule], diagnostics: [RuleDiagnostic]) {
        var compiled: [CompiledRule] = []
        var diagnostics: [RuleDiagnostic] = []
        // PCRE2 compiles (and list files load) on every core; the rest goes in file order.
        let results = rules.parallelMap { rule in
            rule.terms.map { compileTerm($0, file: file, allowEmptyLists: allowEmptyLists, reusing: earlier, declared: declared) }
        }
        for (rule, termResults) in zip(rules, results) {
            var terms: [CompiledTerm] = []
            var groups = 0
            for result in termResults {
                switch result {
                case .success(let compiledTerm):
                    if case .regex(let regex) = compiledTerm.predicate, !compiledTerm.term.isNegated {
                        groups = max(groups, regex.captureGroupCount)
                    }
                    terms.append(compiledTerm)
                case .failure(let error): diagnostics += error.diagnostics
                }
            }
            guard terms.count == rule.terms.count else { continue }
            let missing = rule.template?.references.filter { $0.group > groups } ?? []
            let hasRegex = terms.contains {
                if case .regex = $0.predicate { return !$0.isNegated }; return false
            }
            for reference in missing where hasRegex {
                let has = groups == 0 ? "the regex has no groups" : "the regex has only \(groups) group\(groups == 1 ? "" : "s")"
                diagnostics.append(
                    RuleDiagnostic(
                        reference.location,
                        "$\(reference.group) refers to group \(reference.group), but \(has) (write $$ for a dollar sign)"))
            }
            guard missing.isEmpty || !hasRegex else { continue }
            if let problem = StoreCheck.actionProblem(rule, declared: declared) {
                diagnostics.append(problem)
                continue
            }
            var combined: (terms: [CompiledTerm], expression: CompiledExpression)?
            if let expression = rule.expression {
                var next = 0
                combined = (terms, compile(expression, next: &next))
            }
            compiled.append(CompiledRule(rule: rule, index: compiled.count, term: terms[0], combined: combined))
        }
        return (compiled, diagnostics)
    }

    /// The expression over term indexes, numbered left to right as ``RuleExpression/terms``.
    private static func compile(_ expression: RuleExpression, next: inout Int) -> CompiledExpression {
        switch expression {
        case .term:
            defer { next += 1 }
            return .term(next)
        case .not(let operand): return .not(compile(operand, next: &next))
        case .and(let left, let right):
            let l = compile(left, next: &next)
            return .and(l, compile(right, next: &next))
        case .or(let left, let right):
            let l = compile(left, next: &next)
            return .or(l, compile(right, next: &next))
        }
    }

    /// Compiles one term's pattern (a list: reads the list file, see ``ListFile``).
    static func compileTerm(
        _ term: RuleTerm, file: String, allowEmptyLists: Bool, reusing earlier: CompiledRegexes? = nil,
        declared: RuleDeclarations = RuleDeclarations()
    ) -> Result<CompiledTerm, RulesFileError> {
        switch term.pattern {
        case .score(let comparison):
            return .success(CompiledTerm(term: term, predicate: .score(comparison)))
        case .dnsList(let name, let location):
            guard let list = declared.dnsLists[name] else { return .failure(RulesFileError([DNSListCheck.undeclared(name, at: location)])) }
            return .success(CompiledTerm(term: term, predicate: .dnsList(list)))
        case .limit(let name, let location):
            guard let limit = declared.limits[name] else { return .failure(RulesFileError([StoreCheck.undeclared(name, limit: true, at: location)])) }
            if let problem = StoreCheck.keyProblem(limit.key, of: "limit \(name)", at: term.stage, location: location)
                ?? StoreCheck.byteProblem(limit, at: term.stage, location: location)
            {
                return .failure(RulesFileError([problem]))
            }
            return .success(CompiledTerm(term: term, predicate: .limit(limit)))
        case .dynlist(let name, let location):
            guard let list = declared.dynlists[name] else { return .failure(RulesFileError([StoreCheck.undeclared(name, limit: false, at: location)])) }
            if let problem = StoreCheck.keyProblem(list.key, of: "dynlist \(name)", at: term.stage, location: location) {
                return .failure(RulesFileError([problem]))
            }
            guard let seed = list.seed else { return .success(CompiledTerm(term: term, predicate: .dynlist(list, seeds: nil))) }
            let isAddress: Bool
            if case .address = list.key { isAddress = true } else { isAddress = false }
            return ListFile.load(seed.path, relativeTo: file, forAddresses: isAddress, allowEmpty: true, at: seed.location)
                .map { CompiledTerm(term: term, predicate: .dynlist(list, seeds: $0)) }
        case .cidr(let block):
            return .success(CompiledTerm(term: term, predicate: .cidr(block)))
        case .list(let path, let location):
            return ListFile.load(
                path, relativeTo: file, forAddresses: term.stage == .addr, allowEmpty: allowEmptyLists,
                at: location
            )
            .map { CompiledTerm(term: term, predicate: .list($0)) }
        case .regex(let source, let flags, let location):
            if let regex = earlier?.regex(source, flags) { return .success(CompiledTerm(term: term, predicate: .regex(regex))) }
            do {
                return .success(CompiledTerm(term: term, predicate: .regex(try PCRE2Regex(pattern: source, flags: flags))))
            } catch {
                let at = term.regexLocation(atUTF8Offset: error.offset) ?? location
                return .failure(RulesFileError([RuleDiagnostic(at, "regex error: \(error.message) (PCRE2 at offset \(error.offset))")]))
            }
        }
    }
}
