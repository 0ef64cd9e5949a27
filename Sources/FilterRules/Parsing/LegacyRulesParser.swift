import ConfigurationFiles

/// Reads OpenSMTPD-extras filter-regex.conf files: `KEYWORD [! ]REGEX`, the regex running
/// to the end of the line, matches answered with that tool's replies.
struct LegacyRulesParser {
    private(set) var rules: [Rule] = []
    private(set) var diagnostics: [RuleDiagnostic] = []
    /// How the file came to be read in this format: unless `#format` forced it, lines that
    /// read as the rules format are errors.
    let choice: FormatChoice

    /// A parser for a file read in this format because of `choice`.
    init(choice: FormatChoice) {
        self.choice = choice
    }

    /// The legacy keywords and the stage each maps to.
    static let keywords: [String: Stage] = [
        "connect": .connect, "helo": .helo, "mail": .mail, "rcpt": .rcpt, "dataline": .dataline,
    ]

    /// The reply filter-regex sent for a match at each stage, and the action it took.
    static func outcome(for stage: Stage) -> (RuleAction, Reply) {
        switch stage {
        case .helo: return (.reject, Reply(code: 554, text: "5.7.1 Helo rejected"))
        case .mail: return (.reject, Reply(code: 554, text: "5.7.1 Sender rejected"))
        case .rcpt: return (.reject, Reply(code: 554, text: "5.7.1 Recipient rejected"))
        case .dataline: return (.disconnect, Reply(code: 554, text: "5.7.1 Message content rejected"))
        default: return (.reject, Reply(code: 554, text: "5.7.1 Hostname rejected"))
        }
    }

    /// Parses physical lines (legacy files have no continuations).
    mutating func parse(_ lines: [[Character]], file: String) {
        var inContinuation = false
        for (lineIndex, characters) in lines.enumerated() {
            let number = lineIndex + 1
            let continues = characters.last == "\\"
            // The lines continuing a line reported as the rules format belong to it.
            if inContinuation {
                inContinuation = continues
                continue
            }
            if let message = choice.conflict(ofLegacyFileLine: LineShape(characters, continued: continues)) {
                let start = characters.firstIndex { $0 != " " && $0 != "\t" } ?? 0
                diagnostics.append(RuleDiagnostic(SourceLocation(file: file, line: number, column: start + 1), message))
                inContinuation = continues
                continue
            }
            var index = 0
            func skipSpace() { while index < characters.count && (characters[index] == " " || characters[index] == "\t") { index += 1 } }
            skipSpace()
            guard index < characters.count, characters[index] != "#" else { continue }
            let keywordStart = index
            while index < characters.count && characters[index] != " " && characters[index] != "\t" { index += 1 }
            let keyword = String(characters[keywordStart..<index])
            let location = SourceLocation(file: file, line: number, column: keywordStart + 1)
            guard let stage = Self.keywords[keyword] else {
                diagnostics.append(
                    RuleDiagnostic(
                        location,
                        "unknown keyword '\(keyword)', expected one of connect, helo, mail, rcpt, dataline (filter-regex format)"))
                continue
            }
            skipSpace()
            var end = characters.count
            while end > index && (characters[end - 1] == " " || characters[end - 1] == "\t") { end -= 1 }
            guard index < end, characters[index] != "#" else {
                diagnostics.append(
                    RuleDiagnostic(
                        SourceLocation(file: file, line: number, column: index + 1),
                        "expected a regex after '\(keyword)'"))
                continue
            }
            var exception = false
            if characters[index] == "!", index + 1 < end, characters[index + 1] == " " || characters[index + 1] == "\t" {
                exception = true
                index += 1
                skipSpace()
            }
            let regexLocation = SourceLocation(file: file, line: number, column: index + 1)
            let (action, reply) = Self.outcome(for: stage)
            rules.append(
                Rule(
                    location: location, stage: stage, isNegated: false,
                    pattern: .regex(source: String(characters[index..<end]), flags: [], location: regexLocation),
                    action: exception ? .accept(.input) : action,
                    reply: exception ? nil : reply,
                    source: String(characters[keywordStart..<end])))
        }
    }
}
