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
