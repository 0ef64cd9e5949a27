/// A rule ready to match: its pattern compiled.
public final class CompiledRule: Sendable {
    /// The rule as written.
    public let rule: Rule
    /// Its position in the rule set (file order), the key of its hit counter.
    public let index: Int
    /// The compiled pattern.
    let predicate: Predicate
    /// For `header NAME` rules, the lowercased name's bytes.
    let headerName: [UInt8]?
    /// The rule's `!`, kept here so that matching does not reach into the rule's storage
    /// (two reference counts per rule and input).
    let isNegated: Bool
    /// Whether the rule ends its stage's evaluation when it matches (see ``RuleAction/isFinal``).
    let isFinal: Bool
    /// The rule's reply text or header line as a template, when it refers to captures that
    /// can be non-empty (not for negated or address-block rules).
    let captureTemplate: CaptureTemplate?

    /// A compiled pattern.
    enum Predicate: Sendable {
        case regex(PCRE2Regex)
        case cidr(CIDRBlock)
    }

    init(rule: Rule, index: Int, predicate: Predicate) {
        self.rule = rule
        self.index = index
        self.predicate = predicate
        self.headerName = rule.headerName.map { Array($0.utf8) }
        self.isNegated = rule.isNegated
        self.isFinal = rule.action.isFinal
        if let template = rule.template, !template.references.isEmpty, !rule.isNegated, case .regex = predicate {
            self.captureTemplate = template
        } else {
            self.captureTemplate = nil
        }
    }

    /// What the rule's regex captured in `subject` (element N: group N, nil when it did not
    /// take part), for a rule that refers to its captures; nil when it does not, or when
    /// the match cannot be repeated (a limit).
    func captures(in subject: MatchSubject, scratch: MatchScratch) -> [[UInt8]?]? {
        guard captureTemplate != nil, case .regex(let regex) = predicate else { return nil }
        var bytes = subject.bytes
        if headerName != nil, let header = subject.header { bytes = Array(subject.bytes[header.valueStart...]) }
        guard case .match(let ranges) = regex.captures(in: bytes, scratch: scratch) else { return nil }
        return ranges.map { range in range.map { Array(bytes[$0]) } }
    }

    /// Whether the rule looks at `subject` at all: a `header NAME` rule looks only at that
    /// header, so other headers neither match nor (negated) fail to match it.
    func applies(to subject: MatchSubject) -> Bool {
        guard let name = headerName else { return true }
        return subject.header?.lowercasedName == name
    }

    /// Whether the pattern matches `subject` (before negation), or why that is unknown.
    func patternResult(_ subject: MatchSubject, scratch: MatchScratch) -> RegexMatchResult {
        switch predicate {
        case .cidr(let block):
            guard let address = subject.address else { return .noMatch }
            return block.contains(address) ? .match : .noMatch
        case .regex(let regex):
            if let name = headerName {
                guard let header = subject.header, header.lowercasedName == name else { return .noMatch }
                return subject.bytes.withUnsafeBytes { buffer in
                    regex.matches(UnsafeRawBufferPointer(rebasing: buffer[header.valueStart...]), scratch: scratch)
                }
            }
            return regex.matches(subject.bytes, scratch: scratch)
        }
    }
}
