import PCRE2Matching

/// The condition of a rule: terms (`STAGE [NAME] [!] PATTERN`) joined by `and`, `or`,
/// `not` and parentheses; `not` binds tightest, then `and`, then `or`.
extension RulesParser {
    /// The line's condition could not be read; the diagnostic is recorded.
    struct ConditionStop: Error {}

    /// What parsing the condition found out besides the expression.
    struct ParsedCondition {
        /// The last pattern token, for the hints of a regex that ended too early.
        var lastPatternToken: RuleToken?
        /// How many terms were read so far.
        var termCount = 0
        /// How deep `not` and parentheses nest where the parser is.
        var depth = 0
    }

    /// The most terms one rule may have: conditions are evaluated (and compiled) by recursion,
    /// so their size is bounded rather than left to the stack.
    static let maximumTerms = 256
    /// How deep `not` and parentheses may nest in one rule.
    static let maximumDepth = 32

    /// `AND ('or' AND)*`.
    mutating func parseOr(
        _ tokens: [RuleToken], _ cursor: inout Int, _ line: LogicalLine,
        _ parsed: inout ParsedCondition
    ) throws(ConditionStop) -> RuleExpression {
        var left = try parseAnd(tokens, &cursor, line, &parsed)
        while cursor < tokens.count, tokens[cursor].word?.lowercased() == "or" {
            cursor += 1
            left = .or(left, try parseAnd(tokens, &cursor, line, &parsed))
        }
        return left
    }

    /// `UNARY ('and' UNARY)*`.
    private mutating func parseAnd(
        _ tokens: [RuleToken], _ cursor: inout Int, _ line: LogicalLine,
        _ parsed: inout ParsedCondition
    ) throws(ConditionStop) -> RuleExpression {
        var left = try parseUnary(tokens, &cursor, line, &parsed)
        while cursor < tokens.count, tokens[cursor].word?.lowercased() == "and" {
            cursor += 1
            left = .and(left, try parseUnary(tokens, &cursor, line, &parsed))
        }
        return left
    }

    /// `'not' UNARY | '(' OR ')' | TERM`.
    private mutating func parseUnary(
        _ tokens: [RuleToken], _ cursor: inout Int, _ line: LogicalLine,
        _ parsed: inout ParsedCondition
    ) throws(ConditionStop) -> RuleExpression {
        guard cursor < tokens.count else {
            return try stop(line, line.characters.count, "expected a condition: a stage, 'not' or '(' (a rule cannot end with 'and', 'or' or 'not')")
        }
        let token = tokens[cursor]
        switch token.word?.lowercased() {
        case "not", "(":
            guard parsed.depth < Self.maximumDepth else {
                return try stop(
                    line, token.offset,
                    "'not' and parentheses nest more than \(Self.maximumDepth) deep here; "
                        + "write the condition flatter or split the rule")
            }
            parsed.depth += 1
            defer { parsed.depth -= 1 }
            cursor += 1
            if token.word?.lowercased() == "not" { return .not(try parseUnary(tokens, &cursor, line, &parsed)) }
            let inner = try parseOr(tokens, &cursor, line, &parsed)
            guard cursor < tokens.count, tokens[cursor].word == ")" else {
                let at = cursor < tokens.count ? tokens[cursor].offset : line.characters.count
                let found = cursor < tokens.count ? ", found \(tokens[cursor].display)" : ""
                return try stop(line, at, "expected ')' to close the '(' at column \(line.location(at: token.offset).column)\(found)")
            }
            cursor += 1
            return inner
        default:
            guard parsed.termCount < Self.maximumTerms else {
                return try stop(
                    line, token.offset,
                    "a rule may have at most \(Self.maximumTerms) terms; "
                        + "put many alternatives in one regex or a list file (file \"PATH\")")
            }
            parsed.termCount += 1
            return .term(try parseTerm(tokens, &cursor, line, &parsed))
        }
    }

    /// `STAGE [NAME] [!] PATTERN`, a pattern being `/REGEX/FLAGS`, an address block (addr)
    /// or `file "PATH"`.
    private mutating func parseTerm(
        _ tokens: [RuleToken], _ cursor: inout Int, _ line: LogicalLine,
        _ parsed: inout ParsedCondition
    ) throws(ConditionStop) -> RuleTerm {
        let first = tokens[cursor]
        guard let keyword = first.word, let stage = Stage.named(keyword) else {
            if [")", "and", "or"].contains(first.word?.lowercased() ?? "") {
                return try stop(line, first.offset, "expected a condition (a stage, 'not' or '('), found \(first.display)")
            }
            return try stop(line, first.offset, "unknown stage '\(first.display)', expected one of \(Stage.keywordList)")
        }
        cursor += 1
        var negated = false
        var headerName: String?
        func takeBang() {
            if cursor < tokens.count, tokens[cursor].word == "!" { negated = true; cursor += 1 }
        }
        func startsList(_ index: Int) -> Bool {
            guard index + 1 < tokens.count, tokens[index].word?.lowercased() == "file",
                case .quoted = tokens[index + 1].kind
            else { return false }
            return true
        }
        takeBang()
        if stage == .header, cursor + 1 < tokens.count, tokens[cursor].word?.lowercased() == "listed",
            tokens[cursor + 1].word != nil
        {
            return try stop(
                line, tokens[cursor].offset,
                "'listed' at header looks up the domains of one header's addresses: name the header, e.g. header From listed \(tokens[cursor + 1].display)"
            )
        }
        if stage == .header, cursor < tokens.count, let name = tokens[cursor].word, name != "!", !startsList(cursor) {
            var trimmed = name
            if trimmed.hasSuffix(":") { trimmed.removeLast() }
            if trimmed.isEmpty || !trimmed.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                return try stop(
                    line, tokens[cursor].offset,
                    "bad header name '\(name)', expected letters, digits and '-' (or a /regex/)")
            }
            headerName = trimmed.lowercased()
            cursor += 1
            if !negated { takeBang() }
        }
        let expected = stage == .addr ? "a /regex/ or an address block" : "a /regex/"
        guard cursor < tokens.count else { return try stop(line, line.characters.count, "expected \(expected)") }
        if stage == .score {
            return try parseScoreTerm(tokens, &cursor, line, first: first, negated: negated, &parsed)
        }
        if stage == .body, tokens[cursor].word?.lowercased() == "links", cursor + 1 < tokens.count,
            tokens[cursor + 1].word?.lowercased() == "listed"
        {
            cursor += 1
            return try parseListed(tokens, &cursor, line, stage: stage, first: first, negated: negated, headerName: nil, &parsed)
        }
        if ["over", "in"].contains(tokens[cursor].word?.lowercased()), headerName == nil, cursor + 1 < tokens.count {
            return try parseStoreTerm(tokens, &cursor, line, stage: stage, first: first, negated: negated, &parsed)
        }
        if tokens[cursor].word?.lowercased() == "listed" {
            return try parseListed(tokens, &cursor, line, stage: stage, first: first, negated: negated, headerName: headerName, &parsed)
        }
        let patternToken = tokens[cursor]
        parsed.lastPatternToken = patternToken
        let location = line.location(at: first.offset)
        var continuations: [SourceContinuation] = []
        let pattern: RulePattern
        switch patternToken.kind {
        case .regex(let source, let letters, let flagsOffset):
            if letters.contains("/") {
                return try stop(
                    line, flagsOffset - 1,
                    PatternHints.regexEndedEarly(
                        patternToken, before: flagsOffset..<patternToken.end, in: line, expected: "flags (i, x, s, m, u) or a blank"))
            }
            var flags = RegexFlags()
            switch RegexFlags.parse(Substring(letters)) {
            case .success(let parsed): flags = parsed
            case .failure(let failure): error(line, flagsOffset + failure.offset, failure.message)
            }
            pattern = .regex(source: source, flags: flags, location: line.location(at: patternToken.contentOffset))
            let start = patternToken.contentOffset, end = start + source.count
            continuations = line.pieces.dropFirst().filter { $0.offset > start && $0.offset < end }
                .map { SourceContinuation(offset: $0.offset - start, location: line.location(at: $0.offset)) }
        case .word where startsList(cursor):
            guard case .quoted(let path) = tokens[cursor + 1].kind, !path.isEmpty else {
                return try stop(line, tokens[cursor + 1].offset, "expected the list file's path in quotes after 'file'")
            }
            pattern = .list(path: path, location: line.location(at: patternToken.offset))
            cursor += 1
            parsed.lastPatternToken = tokens[cursor]
        case .word(let word) where stage == .addr && CIDRBlock.looksLikeCIDR(word):
            switch CIDRBlock.parse(word) {
            case .success(let block): pattern = .cidr(block)
            case .failure(let failure): return try stop(line, patternToken.offset, failure.message)
            }
        default:
            if patternToken.word?.lowercased() == "file" {
                return try stop(line, patternToken.offset, "expected the list file's path in quotes after 'file', e.g. file \"senders.list\"")
            }
            if stage != .addr, headerName == nil, let hint = PatternHints.addressBlockOutsideAddr(patternToken, of: tokens, in: line) {
                return try stop(line, patternToken.offset, "expected a /regex/, found \(patternToken.display); \(hint)")
            }
            let hint = stage == .addr ? "" : PatternHints.slashes(for: patternToken).map { "; \($0)" } ?? ""
            if stage == .header && headerName != nil {
                return try stop(
                    line, patternToken.offset,
                    "expected \(expected) after the header name, found \(patternToken.display)\(hint)")
            }
            return try stop(line, patternToken.offset, "expected \(expected), found \(patternToken.display)\(hint)")
        }
        cursor += 1
        return RuleTerm(
            location: location, stage: stage, headerName: headerName, isNegated: negated, pattern: pattern,
            regexContinuations: continuations)
    }

    /// `score OP N` (`>=`, `>`, `<`, `<=`): a score term.
    private mutating func parseScoreTerm(
        _ tokens: [RuleToken], _ cursor: inout Int, _ line: LogicalLine, first: RuleToken, negated: Bool,
        _ parsed: inout ParsedCondition
    ) throws(ConditionStop) -> RuleTerm {
        let operators = ScoreComparison.Operator.allCases.map(\.rawValue).joined(separator: ", ")
        guard let word = tokens[cursor].word, let op = ScoreComparison.Operator(rawValue: word) else {
            return try stop(line, tokens[cursor].offset, "expected a comparison after score (\(operators)), e.g. score >= 5")
        }
        cursor += 1
        guard cursor < tokens.count, let number = tokens[cursor].word, let threshold = Score(number) else {
            return try stop(
                line, cursor < tokens.count ? tokens[cursor].offset : line.characters.count,
                "expected a number after score \(word), e.g. score \(word) 5 or score \(word) -1.5")
        }
        parsed.lastPatternToken = tokens[cursor]
        cursor += 1
        return RuleTerm(
            location: line.location(at: first.offset), stage: .score, isNegated: negated, pattern: .score(ScoreComparison(op, threshold)))
    }

    /// `listed NAME` after a stage (and its `!`): a DNS list term.
    private mutating func parseListed(
        _ tokens: [RuleToken], _ cursor: inout Int, _ line: LogicalLine, stage: Stage, first: RuleToken, negated: Bool,
        headerName: String?, _ parsed: inout ParsedCondition
    ) throws(ConditionStop) -> RuleTerm {
        let keyword = tokens[cursor]
        if stage == .body, tokens[cursor - 1].word?.lowercased() != "links" {
            return try stop(
                line, keyword.offset, "'listed' at body looks up the domains of the message's links: write body links listed NAME")
        }
        guard DNSListDeclaration.stages.contains(stage) else {
            return try stop(
                line, keyword.offset,
                "'listed' looks up the client address (addr), its host name (connect), the HELO name (helo), the sender's domain (mail), a header's domains (header NAME) or the message's links (body links), not \(stage.rawValue)"
            )
        }
        cursor += 1
        let expectedName = "expected the name of a list declared with 'dnslist NAME ZONE' after 'listed'"
        guard cursor < tokens.count, let name = tokens[cursor].word, Self.isListName(name) else {
            return try stop(line, cursor < tokens.count ? tokens[cursor].offset : line.characters.count, expectedName)
        }
        if LineShape.actionWords.contains(name.lowercased()) || ["and", "or"].contains(name.lowercased()) {
            return try stop(line, tokens[cursor].offset, "\(expectedName), found \(name)")
        }
        parsed.lastPatternToken = tokens[cursor]
        let pattern = RulePattern.dnsList(name: name, location: line.location(at: tokens[cursor].offset))
        cursor += 1
        return RuleTerm(
            location: line.location(at: first.offset), stage: stage, headerName: headerName, isNegated: negated, pattern: pattern)
    }

    /// Records the diagnostic and stops reading the line's condition.
    mutating func stop<T>(_ line: LogicalLine, _ offset: Int, _ message: String) throws(ConditionStop) -> T {
        error(line, offset, message)
        throw ConditionStop()
    }
}
