import PCRE2Matching

/// Reads the rules format: `STAGE [NAME] [!] PATTERN ACTION [CODE] ["TEXT"]` and `set` lines.
///
/// Parsing goes on after an error, so one pass reports every problem of the file.
struct RulesParser {
    var options = RuleOptions()
    private(set) var rules: [Rule] = []
    /// The `dnslist` lines read, in order (also in ``options`` once the file is parsed).
    var dnsLists: [DNSListDeclaration] = []
    /// The `limit` lines read, in order (also in ``options`` once the file is parsed).
    var rateLimits: [LimitDeclaration] = []
    /// The `dynlist` lines read, in order (also in ``options`` once the file is parsed).
    var dynlists: [DynlistDeclaration] = []
    private(set) var diagnostics: [RuleDiagnostic] = []
    /// How the file came to be read in this format: lines that read as filter-regex rules
    /// are reported as such.
    let choice: FormatChoice

    /// A parser for a file read in this format because of `choice`.
    init(choice: FormatChoice) {
        self.choice = choice
    }

    /// The `set` lines read, in order (to apply them again when parsers of parts of a
    /// file are merged).
    private var optionLines: [(tokens: [RuleToken], line: LogicalLine)] = []

    /// Lines per part when a large file is parsed on all cores.
    static let linesPerPart = 256

    /// Parses every logical line. A large file is parsed in parts on all cores (each line
    /// parses on its own; only `set` lines change the parser's state, and they are applied
    /// again in file order when the parts are merged), with the rules and diagnostics of
    /// the parts in file order.
    mutating func parse(_ lines: [LogicalLine]) {
        defer {
            options.dnsLists = dnsLists
            options.rateLimits = rateLimits
            options.dynlists = dynlists
        }
        guard lines.count > 2 * Self.linesPerPart else {
            for line in lines { parse(line) }
            return
        }
        let parts = stride(from: 0, to: lines.count, by: Self.linesPerPart).map {
            Array(lines[$0..<min(lines.count, $0 + Self.linesPerPart)])
        }
        let choice = self.choice
        let parsed = parts.parallelMap { part in
            var parser = RulesParser(choice: choice)
            for line in part { parser.parse(line) }
            return parser
        }
        for part in parsed {
            rules += part.rules
            diagnostics += part.diagnostics
            dnsLists += part.dnsLists
            rateLimits += part.rateLimits
            dynlists += part.dynlists
            // The part reported the set lines' problems already; only their values count here.
            let reported = diagnostics.count
            for option in part.optionLines { parseOption(option.tokens, option.line) }
            diagnostics.removeSubrange(reported...)
        }
    }

    mutating func error(_ line: LogicalLine, _ offset: Int, _ message: String) {
        diagnostics.append(RuleDiagnostic(line.location(at: offset), message))
    }

    private mutating func parse(_ line: LogicalLine) {
        if let conflict = choice.conflict(ofRulesFileLine: LineShape(line.characters, continued: line.isContinued)) {
            return error(line, conflict.offset, conflict.message)
        }
        let tokens: [RuleToken]
        switch RuleTokenizer.tokenize(line.characters) {
        case .success(let result): tokens = result
        case .failure(let failure): return error(line, failure.offset, failure.message)
        }
        guard let first = tokens.first else { return }
        if first.word?.lowercased() == "set" {
            optionLines.append((tokens, line))
            return parseOption(tokens, line)
        }
        if first.word?.lowercased() == "dnslist" { return parseDNSList(tokens, line) }
        if first.word?.lowercased() == "limit" { return parseLimit(tokens, line) }
        if first.word?.lowercased() == "dynlist" { return parseDynlist(tokens, line) }
        guard first.word.map({ Stage.named($0) != nil || $0.lowercased() == "not" || $0 == "(" }) == true else {
            if let keyword = first.word {
                return error(line, first.offset, "unknown stage '\(keyword)', expected one of \(Stage.keywordList)")
            }
            return error(line, first.offset, "expected a stage, 'set', 'dnslist', 'limit' or 'dynlist', found \(first.display)")
        }
        var cursor = 0
        var parsed = ParsedCondition()
        let expression: RuleExpression
        do {
            expression = try parseOr(tokens, &cursor, line, &parsed)
        } catch {
            return
        }
        if cursor < tokens.count, tokens[cursor].word == ")" {
            return error(line, tokens[cursor].offset, "unexpected ')', no '(' is open")
        }
        let firstTerm = expression.terms[0]
        let stage = firstTerm.stage
        let patternToken = parsed.lastPatternToken!
        let isPlain: Bool
        // A session fact, a DNS list or a score is decided as a combined rule: the plain
        // matchers read regexes, address blocks and list files only.
        if case .term(let term) = expression, !term.stage.isSessionFact, !term.pattern.needsCombinedRule, term.stage != .score {
            isPlain = true
        } else {
            isPlain = false
        }
        guard cursor < tokens.count else {
            return error(
                line, line.characters.count,
                "expected an action: \(Self.actionList)"
                    + (isPlain ? "" : ", or 'and', 'or'"))
        }
        let actionToken = tokens[cursor]
        cursor += 1
        var action: RuleAction
        var template: CaptureTemplate?
        switch actionToken.word?.lowercased() {
        case "accept": action = .accept(.stage)
        case "reject": action = .reject
        case "tempfail": action = .tempfail
        case "greylist": action = .greylist
        case "disconnect": action = .disconnect
        case "junk": action = .junk
        case "warn": action = .warn
        case "score":
            guard cursor < tokens.count, let word = tokens[cursor].word, let points = Score(word) else {
                let at = cursor < tokens.count ? tokens[cursor].offset : line.characters.count
                return error(line, at, "expected the points after score, e.g. score 2.5 or score -3 (at most 3 decimals)")
            }
            action = .score(points)
            cursor += 1
        case "add-to", "remove-from":
            guard let name = storeListName(tokens, cursor, line, after: actionToken.word!.lowercased()) else { return }
            action = actionToken.word!.lowercased() == "add-to" ? .addTo(name) : .removeFrom(name)
            cursor += 1
        case "add-header":
            guard cursor < tokens.count, case .quoted(let text) = tokens[cursor].kind else {
                let at = cursor < tokens.count ? tokens[cursor].offset : line.characters.count
                return error(
                    line, at,
                    "expected the header to add in quotes after add-header, "
                        + "e.g. add-header \"X-Filter-Rules: matched $0\"")
            }
            if let problem = HeaderLineCheck.problem(in: text) {
                return error(line, tokens[cursor].offset + 1 + problem.offset, problem.message)
            }
            switch CaptureTemplate.parse(line.characters, quotedAt: tokens[cursor].offset, location: line.location(at:)) {
            case .success(let parsed): template = text.contains("$") ? parsed : nil
            case .failure(let failure): return error(line, failure.offset, failure.message)
            }
            action = .addHeader(text)
            cursor += 1
        default:
            if case .regex(_, _, let flagsOffset) = patternToken.kind, case .word(let word) = actionToken.kind, word.contains("/") {
                return error(
                    line, flagsOffset - 1,
                    PatternHints.regexEndedEarly(
                        patternToken, before: actionToken.offset..<actionToken.end, in: line, expected: "an action"))
            }
            return error(
                line, actionToken.offset,
                "unknown action '\(actionToken.display)', expected \(Self.actionList)")
        }
        if case .accept = action, cursor < tokens.count, let scopeWord = tokens[cursor].word?.lowercased(),
            scopeWord == "session" || scopeWord == "transaction"
        {
            let scope = AcceptScope(rawValue: scopeWord)!
            if scope == .transaction && isPlain && !stage.isInTransaction {
                error(
                    line, tokens[cursor].offset,
                    "'accept transaction' is not possible at \(stage): no transaction is under way (use 'accept session')")
            } else if scope == .transaction && !expression.needsTransaction {
                let early = expression.termBeforeTransaction ?? firstTerm
                error(
                    line, tokens[cursor].offset,
                    "'accept transaction' can fire before MAIL FROM, where no transaction is under way: through the "
                        + "\(early.stage) term at \(early.location.line):\(early.location.column); 'and' it with a mail, rcpt or "
                        + "message term, or use 'accept session'")
            }
            action = .accept(scope)
            cursor += 1
        }
        if action.isFinal, let reported = expression.terms.first(where: { $0.stage == .authfail }) {
            return error(
                line, actionToken.offset,
                "a failed AUTH (authfail, at \(reported.location.line):\(reported.location.column)) is reported, not asked: "
                    + "its rules can only add-to, remove-from, score, warn, junk or add-header; refuse at a later step, "
                    + "e.g. connect in banned disconnect")
        }
        var reply = DefaultReplies.reply(for: action, at: stage)
        if cursor < tokens.count, let codeWord = tokens[cursor].word, codeWord.allSatisfy(\.isNumber) {
            if let range = action.allowedCodes {
                if let code = Int(codeWord), range.contains(code) {
                    reply?.code = code
                } else {
                    error(
                        line, tokens[cursor].offset,
                        "code \(codeWord) does not fit \(action), expected \(range.lowerBound)-\(range.upperBound)")
                }
            } else {
                error(line, tokens[cursor].offset, "\(Self.word(of: action)) takes no code")
            }
            cursor += 1
        }
        if cursor < tokens.count, case .quoted(let text) = tokens[cursor].kind {
            if reply == nil {
                error(line, tokens[cursor].offset, "\(Self.word(of: action)) takes no reply text")
            } else {
                reply?.text = text
                if text.contains("$") {
                    switch CaptureTemplate.parse(line.characters, quotedAt: tokens[cursor].offset, location: line.location(at:)) {
                    case .success(let parsed): template = parsed
                    case .failure(let failure): error(line, failure.offset, failure.message)
                    }
                }
            }
            cursor += 1
        }
        if cursor < tokens.count {
            let extra = tokens[cursor]
            let expectation: String
            switch action {
            case .accept(.stage): expectation = "expected 'session', 'transaction' or the end of the rule"
            case .accept, .junk, .warn, .addHeader: expectation = "expected the end of the rule"
            default: expectation = "expected a code, a \"text\" or the end of the rule"
            }
            return error(line, extra.offset, "unexpected \(extra.display), \(expectation)")
        }
        var rule = Rule(
            location: isPlain ? firstTerm.location : line.location(at: first.offset), stage: stage,
            headerName: firstTerm.headerName, isNegated: firstTerm.isNegated, pattern: firstTerm.pattern,
            action: action, reply: reply, source: line.text)
        rule.template = template
        rule.regexContinuations = firstTerm.regexContinuations
        if !isPlain { rule.expression = expression }
        rules.append(rule)
    }

    /// The actions, as error messages list them.
    static let actionList = "accept, reject, tempfail, disconnect, greylist, junk, add-header, warn, score, add-to or remove-from"

    /// The action's keyword, for messages.
    static func word(of action: RuleAction) -> String {
        switch action {
        case .accept: return "accept"
        case .addHeader: return "add-header"
        default: return action.description
        }
    }

    /// The options `set` knows, in the order error messages list them.
    static let optionNames = [
        "fail-closed", "scan-limit", "match-limit", "depth-limit",
        "line-time-limit", "message-time-limit", "header-limit", "allow-empty",
        "mode", "hold-limit", "hold-total", "oversized-header", "oversized-mime", "resolver", "dnslist-domains", "store-keys",
        "greylist-delay", "greylist-window", "greylist-pass", "state-file", "store", "store-password-file", "store-prefix",
        "metrics",
    ]

    private mutating func parseOption(_ tokens: [RuleToken], _ line: LogicalLine) {
        let names = Self.optionNames.joined(separator: ", ")
        guard tokens.count >= 2, let name = tokens[1].word?.lowercased() else {
            return error(
                line, tokens.count >= 2 ? tokens[1].offset : line.characters.count,
                "expected an option name: \(names)")
        }
        guard Self.optionNames.contains(name) else {
            return error(line, tokens[1].offset, "unknown option '\(tokens[1].display)', expected one of \(names)")
        }
        if name == "state-file" { return parseStateFile(tokens, line) }
        if name == "store" || name == "store-password-file" { return parseStore(name, tokens, line) }
        guard tokens.count >= 3, let value = tokens[2].word else {
            return error(
                line, tokens.count >= 3 ? tokens[2].offset : line.characters.count,
                "expected a value for \(name)")
        }
        if name == "resolver" { return parseResolver(tokens, line) }
        if tokens.count > 3 {
            return error(line, tokens[3].offset, "unexpected \(tokens[3].display) after the value of \(name)")
        }
        let valueOffset = tokens[2].offset
        switch name {
        case "metrics":
            if value.lowercased() == "off" {
                options.metrics = nil
            } else if let address = MetricsListenAddress(value) {
                options.metrics = address
            } else {
                return error(line, valueOffset, "bad address '\(value)' for metrics, \(MetricsListenAddress.expected)")
            }
        case "fail-closed", "allow-empty":
            let on: Bool
            switch value.lowercased() {
            case "on", "yes": on = true
            case "off", "no": on = false
            default: return error(line, valueOffset, "bad value '\(value)' for \(name), expected on or off")
            }
            if name == "fail-closed" { options.failClosed = on } else { options.allowEmpty = on }
        case "oversized-header", "oversized-mime":
            guard let action = OversizedContentAction(rawValue: value.lowercased()) else {
                return error(line, valueOffset, "bad value '\(value)' for \(name), expected reject, tempfail or accept")
            }
            if name == "oversized-header" { options.oversizedHeader = action } else { options.oversizedMIME = action }
        case "mode":
            guard let mode = EnforcementMode(rawValue: value.lowercased()) else {
                return error(line, valueOffset, "bad value '\(value)' for mode, expected enforce or report-only")
            }
            options.mode = mode
        case "scan-limit", "header-limit", "hold-limit", "hold-total":
            if let size = RuleOptions.size(value) {
                switch name {
                case "scan-limit": options.scanLimit = size
                case "header-limit": options.headerLimit = size
                case "hold-limit": options.holdLimit = size
                default: options.holdTotal = size
                }
            } else {
                error(line, valueOffset, "bad size '\(value)' for \(name), expected a number of bytes with optional k or m")
            }
        case "greylist-delay", "greylist-window", "greylist-pass":
            guard let milliseconds = DurationText.milliseconds(value) else {
                return error(line, valueOffset, "bad time '\(value)' for \(name), expected a number and a unit s, m, h or d, e.g. 5m")
            }
            switch name {
            case "greylist-delay": options.greylisting.delay = milliseconds
            case "greylist-window": options.greylisting.window = milliseconds
            default: options.greylisting.pass = milliseconds
            }
        case "store-prefix":
            guard Self.isListName(value) else {
                return error(line, valueOffset, "bad value '\(value)' for store-prefix, expected letters, digits, '-' and '_', starting with a letter")
            }
            options.storePrefix = value
        case "store-keys":
            guard let number = Int(value), (1000...100_000_000).contains(number) else {
                return error(line, valueOffset, "bad value '\(value)' for store-keys, expected a number of keys from 1000 to 100000000")
            }
            options.storeKeys = number
        case "dnslist-domains":
            let most = RuleOptions.maximumDNSListDomains
            guard let number = Int(value), (1...most).contains(number) else {
                return error(line, valueOffset, "bad value '\(value)' for dnslist-domains, expected a number of domains from 1 to \(most)")
            }
            options.dnsListDomains = number
        case "match-limit", "depth-limit":
            guard let number = UInt32(value), number > 0 else {
                return error(line, valueOffset, "bad value '\(value)' for \(name), expected a number from 1 to \(UInt32.max)")
            }
            if name == "match-limit" { options.limits.matchLimit = number } else { options.limits.depthLimit = number }
        case "line-time-limit", "message-time-limit":
            guard let limit = TimeLimit.parse(value) else {
                return error(
                    line, valueOffset,
                    "bad time '\(value)' for \(name), expected milliseconds or seconds "
                        + "such as 50ms or 2s, or 0 for no limit")
            }
            if name == "line-time-limit" { options.limits.lineTimeLimit = limit } else { options.messageTimeLimit = limit }
        default:
            error(line, tokens[1].offset, "unknown option '\(tokens[1].display)', expected one of \(names)")
        }
    }
}
