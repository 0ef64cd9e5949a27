import DNSLists
import PCRE2Matching

/// One term of a rule ready to match: its pattern compiled.
public final class CompiledTerm: Sendable {
    /// The term as written.
    public let term: RuleTerm
    /// The compiled pattern.
    let predicate: Predicate
    /// For `header NAME` terms, the lowercased name's bytes.
    let headerName: [UInt8]?
    /// The term's `!`.
    let isNegated: Bool

    /// A compiled pattern.
    enum Predicate: Sendable {
        case regex(PCRE2Regex)
        case cidr(CIDRBlock)
        case list(ListMatcher)
        case dnsList(DNSList)
        case score(ScoreComparison)
        case limit(LimitDeclaration)
        /// A dynamic list, and the entries of its seed file.
        case dynlist(DynlistDeclaration, seeds: ListMatcher?)

        /// Whether it is an `over NAME` term's: counted only when its rule's outcome
        /// depends on it (see CombinedRuleState).
        var isLimit: Bool {
            if case .limit = self { return true }
            return false
        }

        /// Whether it is a `listed NAME` term's.
        var isDNSList: Bool {
            if case .dnsList = self { return true }
            return false
        }
    }

    init(term: RuleTerm, predicate: Predicate) {
        self.term = term
        self.predicate = predicate
        self.headerName = term.headerName.map { Array($0.utf8) }
        self.isNegated = term.isNegated
    }

    /// The stage it looks at.
    var stage: Stage { term.stage }

    /// Whether the term looks at `subject` at all: a `header NAME` term looks only at that
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
        case .list(let list):
            return list.contains(valueBytes(subject), address: subject.address) ? .match : .noMatch
        case .score(let comparison):
            guard let score = subject.score else { return .noMatch }
            return comparison.holds(for: score) ? .match : .noMatch
        case .dnsList(let list):
            // Looked up before the input's point (see MatchSubject.listings); a failed or
            // missing lookup is not a listing.
            return subject.listings?[list.name]?.isListed == true ? .match : .noMatch
        case .limit, .dynlist:
            // Asked of the store by the combined rules' state, never matched on an input.
            return .noMatch
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

    /// Whether the term is true for `subject` (negation applied); nil when a limit made it unknown.
    func isTrue(for subject: MatchSubject, scratch: MatchScratch) -> (value: Bool, failure: String?) {
        guard applies(to: subject) else { return (false, nil) }
        switch patternResult(subject, scratch: scratch) {
        case .match: return (!isNegated, nil)
        case .noMatch: return (isNegated, nil)
        case .limitExceeded(let reason), .failed(let reason): return (false, reason)
        }
    }

    /// What the term's regex captured in `subject` (element N: group N), nil when it is not
    /// a regex, is negated, or no longer matches.
    func captures(in subject: MatchSubject, scratch: MatchScratch) -> [[UInt8]?]? {
        guard !isNegated, case .regex(let regex) = predicate else { return nil }
        let bytes = valueBytes(subject)
        guard case .match(let ranges) = regex.captures(in: bytes, scratch: scratch) else { return nil }
        return ranges.map { range in range.map { Array(bytes[$0]) } }
    }

    /// The bytes the pattern looks at: a named header's value, else the whole subject.
    private func valueBytes(_ subject: MatchSubject) -> [UInt8] {
        if headerName != nil, let header = subject.header { return Array(subject.bytes[header.valueStart...]) }
        return subject.bytes
    }
}

/// A rule's combined condition ready to evaluate.
indirect enum CompiledExpression: Sendable {
    case term(Int)
    case not(CompiledExpression)
    case and(CompiledExpression, CompiledExpression)
    case or(CompiledExpression, CompiledExpression)

    /// The value under `values` (one per term index: true, false or nil for unknown),
    /// three-valued: false and unknown is false, true or unknown is true.
    func value(_ values: (Int) -> Bool?) -> Bool? {
        switch self {
        case .term(let index): return values(index)
        case .not(let operand): return operand.value(values).map { !$0 }
        case .and(let left, let right):
            let l = left.value(values)
            if l == false { return false }
            let r = right.value(values)
            if r == false { return false }
            return l == true && r == true ? true : nil
        case .or(let left, let right):
            let l = left.value(values)
            if l == true { return true }
            let r = right.value(values)
            if r == true { return true }
            return l == false && r == false ? false : nil
        }
    }
}
