/// Rules files of N distinct `dataline` rules of mixed shapes, none matching
/// ``SampleMessage``: the ``SpamRules`` templates, the shapes Vectorscan's regex compiler is
/// slow on (`\b…\b`, `^…$` with `/m`), each with its own token, and one rule in
/// ``literalLessEvery`` without any literal (`^[0-9]{5}-[a-z]{3}[0-9]{N}$`, N its own), so
/// that the prefilter has regex parts to build after its literal stage.
enum MixedRules {
    /// The slow shapes; `TOKEN` is replaced by the rule's token.
    private static let slowTemplates = [
        #"dataline /\bfree\s+TOKEN\b/i reject"#,
        #"dataline /^X-TOKEN: (?:yes|high)$/m reject"#,
        #"dataline /\b(?:wire|send) TOKEN (?:now|today)\b/ reject"#,
        #"dataline /^Subject: (?:re: )*TOKEN alert$/im reject"#,
    ]

    /// For each slow template, a line that it matches.
    private static let slowMatchingLines = [
        "Get it FREE   TOKEN today",
        "X-TOKEN: high",
        "please wire TOKEN now",
        "Subject: Re: RE: TOKEN alert",
    ]

    /// One rule in this many is literal-less.
    static let literalLessEvery = 50
    /// Rule `index` is literal-less when `index % literalLessEvery` is this.
    static let literalLessOffset = 25

    /// How many templates the rules with a token cycle through.
    static var templateCount: Int { SpamRules.templateCount + slowTemplates.count }

    /// Whether rule `index` is literal-less.
    static func isLiteralLess(_ index: Int) -> Bool {
        index % literalLessEvery == literalLessOffset
    }

    /// The digit count N of literal-less rule `index`: 1 for the first, 2 for the next...
    static func literalLessDigits(_ index: Int) -> Int {
        1 + index / literalLessEvery
    }

    /// The text of rule `index`.
    static func rule(_ index: Int) -> String {
        isLiteralLess(index) ? literalLessRule(digits: literalLessDigits(index)) : rule(index, token: SpamRules.token(index))
    }

    /// The text of rule `index` (one with a token) with `token` in place of its own.
    static func rule(_ index: Int, token: String) -> String {
        let template = index % templateCount
        if template < SpamRules.templateCount { return SpamRules.rule(template: template, token: token) }
        return slowTemplates[template - SpamRules.templateCount].replacing("TOKEN", with: token)
    }

    /// A literal-less rule: `digits` digits after `12345-abc`, anchored at both ends.
    static func literalLessRule(digits: Int) -> String {
        "dataline /^[0-9]{5}-[a-z]{3}[0-9]{\(digits)}$/ reject"
    }

    /// A message line that rule `index` matches (and no other rule of a file of these).
    static func matchingLine(_ index: Int) -> String {
        isLiteralLess(index) ? literalLessLine(digits: literalLessDigits(index)) : matchingLine(index, token: SpamRules.token(index))
    }

    /// A line that rule `index` (one with a token) with `token` in place of its own matches.
    static func matchingLine(_ index: Int, token: String) -> String {
        let template = index % templateCount
        if template < SpamRules.templateCount { return SpamRules.matchingLine(template: template, token: token) }
        return slowMatchingLines[template - SpamRules.templateCount].replacing("TOKEN", with: token)
    }

    /// The line that ``literalLessRule(digits:)`` matches.
    static func literalLessLine(digits: Int) -> String {
        "12345-abc" + String(repeating: "7", count: digits)
    }

    /// The texts of rules 0 to `count - 1`.
    static func rules(count: Int) -> [String] {
        (0..<count).map(rule)
    }

    /// A rules file of `rules` (from ``rules(count:)``, changed or not).
    static func file(_ rules: [String]) -> String {
        "# filter-bench: \(rules.count) dataline rules of mixed shapes that do not match the benchmark's messages\n"
            + rules.map { $0 + "\n" }.joined()
    }
}
