import PCRE2Matching

/// The literals a regex cannot match without: a set of byte strings such that every text
/// the regex matches contains at least one of them (`zq00042x` for `\bfree\s+zq00042x\b`;
/// `X-Spam: yes` or `X-Spam: high` for `^X-Spam: (?:yes|high)$`). A subject that contains
/// none of them cannot match, so a literal scan can stand in for the regex as a prefilter
/// (the idea of Snort's fast patterns and RE2's FilteredRE2).
///
/// The analysis never claims more than it knows: every step keeps "every match contains one
/// of these" true, and whatever it does not follow exactly (escapes other than plain
/// punctuation and `\n`-style controls, non-ASCII characters, classes written with escapes,
/// back references) counts as an unknown character that breaks a literal. Regexes it does
/// not take at all: a `{` that is not a quantifier (PCRE2 10.43 reads `a{,3}` and `a{ 2}` as
/// quantifiers, 10.42 as text), the `x` flag (blanks and comments would have to be followed), `u`
/// with caseless matching (PCRE2 folds `k` with U+212A KELVIN SIGN and `s` with U+017F), and
/// whatever ``RegexShapeParser`` gives up on (conditionals, recursion, verbs).
struct RequiredLiterals: Sendable, Equatable {
    /// The literals, one of which every match contains; lower-cased when ``isCaseless``.
    var alternatives: [[UInt8]]
    /// Whether they are to be found in any ASCII case (the regex is caseless, by its flag or
    /// an inline `(?i)` anywhere in it).
    var isCaseless: Bool

    /// The shortest literal worth a prefilter: shorter ones occur in most lines, and the
    /// rule would be confirmed with PCRE2 on nearly every line.
    static let minimumLength = 3
    /// The most alternatives a set may have.
    static let maximumAlternatives = 16
    /// The longest literal kept.
    static let maximumLength = 256
    /// The most bytes a character class may have to be taken as its alternatives.
    static let maximumClassSize = 4

    /// The best set of required literals of `source` compiled with `flags`, nil when there
    /// is none of at least ``minimumLength`` bytes or the analysis does not take the regex.
    static func of(_ source: String, flags: RegexFlags) -> RequiredLiterals? {
        candidates(of: source, flags: flags).first
    }

    /// A set of bytes one of which every match of `source` compiled with `flags` contains,
    /// for a regex without required literals (`-` in `^[0-9]{5}-[a-z]{3}$`, the digits in
    /// `\d{3}`... where written as a class without escapes: `[0-9]{3}`); nil when the
    /// analysis knows none smaller than every byte. Trusted as the literals are: literal
    /// characters and classes written without escapes, case-folded when caseless.
    static func requiredBytes(of source: String, flags: RegexFlags) -> ByteSet? {
        RegexLiterals(source, flags: flags)?.requiredBytes
    }

    /// Every set of required literals of `source` compiled with `flags` the analysis
    /// finds, the most useful first (``of(_:flags:)``'s is the first): a prefilter can
    /// then prefer a set that fewer other rules share (``PrefilterPlan``). Empty when the
    /// analysis does not take the regex.
    static func candidates(of source: String, flags: RegexFlags) -> [RequiredLiterals] {
        RegexLiterals(source, flags: flags)?.candidates ?? []
    }

    /// Whether an inline option group (`(?i)`, `(?mi:`, `(?^i)`...) turns caseless matching
    /// on anywhere: then every literal is taken caseless (only more subjects pass).
    static func hasInlineCaseless(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "("), bytes[index + 1] == UInt8(ascii: "?") {
                var cursor = index + 2
                while cursor < bytes.count, bytes[cursor].isOptionLetter {
                    if bytes[cursor] == UInt8(ascii: "i") { return true }
                    cursor += 1
                }
            }
            index += 1
        }
        return false
    }
}

/// One regex parsed once for both analyses: its candidate literal sets and, for a regex
/// without any, its required bytes (``RequiredLiterals``). Nil when the analysis does not
/// take the regex (the `x` flag, `u` with caseless matching, a `{` that is not a
/// quantifier, what the shape parser gives up on).
struct RegexLiterals {
    private let analysis: LiteralAnalysis
    private let shape: ShapeNode

    init?(_ source: String, flags: RegexFlags) {
        guard !flags.contains(.extended) else { return nil }
        let bytes = Array(source.utf8)
        let caseless = flags.contains(.caseless) || RequiredLiterals.hasInlineCaseless(bytes)
        if caseless && flags.contains(.utf) { return nil }
        guard let shape = RegexShapeParser.parse(source, flags: flags), !shape.hasLiteralBrace(in: bytes) else { return nil }
        self.analysis = LiteralAnalysis(source: bytes, caseless: caseless)
        self.shape = shape
    }

    /// Up to four sets of required literals, the most useful first.
    var candidates: [RequiredLiterals] {
        analysis.candidates(of: shape).prefix(4).map { RequiredLiterals(alternatives: $0, isCaseless: analysis.caseless) }
    }

    /// A set of bytes one of which every match contains, nil for none smaller than all.
    var requiredBytes: ByteSet? {
        guard let set = analysis.requiredBytes(of: shape), set.count < 256 else { return nil }
        return set
    }
}

/// What the analysis knows of the texts one node matches: each field a set of literals,
/// nil for "nothing known".
private struct LiteralFacts {
    /// Every match is exactly one of these.
    var exact: [[UInt8]]?
    /// Every match begins with one of these.
    var prefix: [[UInt8]]?
    /// Every match ends with one of these.
    var suffix: [[UInt8]]?
    /// Every match contains one of these (the best set found).
    var required: [[UInt8]]?

    /// Nothing known: an unknown character, a back reference, an optional part.
    static let unknown = LiteralFacts()

    /// A node that matches exactly one of `literals`.
    static func exactly(_ literals: [[UInt8]]) -> LiteralFacts {
        LiteralFacts(exact: literals, prefix: literals, suffix: literals, required: literals)
    }

    /// A node that consumes nothing (an assertion, a look-around, `(?i)`).
    static let empty = exactly([[]])
}

/// The walk over a regex's ``ShapeNode``s.
private struct LiteralAnalysis {
    let source: [UInt8]
    let caseless: Bool

    func facts(of node: ShapeNode) -> LiteralFacts {
        switch node.kind {
        case .character(let set, let literal):
            guard let members = characters(of: node, set: set, literal: literal) else { return .unknown }
            return .exactly(members.map { [$0] })
        case .assertion: return .empty
        case .backreference: return .unknown
        case .group(let body, let kind, _): return kind == .lookaround ? .empty : facts(of: body)
        case .sequence(let nodes): return sequence(nodes)
        case .alternation(let nodes): return alternation(nodes)
        case .repeated(let body, let min, let max, _, _): return repeated(body, min: min, max: max)
        }
    }

    /// A set of bytes one of which every match of `node` contains, nil for none known: the
    /// smallest of a sequence's parts, the union of an alternation's, a repeat's at least
    /// once.
    func requiredBytes(of node: ShapeNode) -> ByteSet? {
        switch node.kind {
        case .character(let set, let literal):
            let written = source[node.start..<node.end]
            if literal {
                guard let byte = Self.literalByte(written), byte < 0x80 else { return nil }
                return caseless ? ByteSet(byte).caseFolded : ByteSet(byte)
            }
            guard Self.isTrustedClass(written) else { return nil }
            return caseless ? set.caseFolded : set
        case .assertion, .backreference: return nil
        case .group(let body, let kind, _): return kind == .lookaround ? nil : requiredBytes(of: body)
        case .repeated(let body, let min, _, _, _): return min >= 1 ? requiredBytes(of: body) : nil
        case .sequence(let nodes):
            return nodes.compactMap(requiredBytes(of:)).min { $0.count < $1.count }
        case .alternation(let nodes):
            var union = ByteSet.none
            for node in nodes {
                guard let set = requiredBytes(of: node) else { return nil }
                union = union.union(set)
            }
            return union
        }
    }

    /// The characters a one-character node stands for, when the analysis is sure of them:
    /// a literal written as itself (ASCII), as `\` and punctuation, or as
    /// `\n`, `\t`, `\r`, `\f`, `\e`, `\a`; a class of at most ``RequiredLiterals/maximumClassSize``
    /// bytes written without escapes or POSIX names, not negated. Lower-cased when caseless.
    private func characters(of node: ShapeNode, set: ByteSet, literal: Bool) -> [UInt8]? {
        let written = source[node.start..<node.end]
        var members: [UInt8]
        if literal {
            guard let byte = Self.literalByte(written) else { return nil }
            members = [byte]
        } else {
            guard Self.isTrustedClass(written) else { return nil }
            let folded = caseless ? set.caseFolded : set
            guard folded.count <= RequiredLiterals.maximumClassSize * (caseless ? 2 : 1) else { return nil }
            members = folded.elements
        }
        guard members.allSatisfy({ $0 < 0x80 }) else { return nil }
        if caseless {
            members = Array(Set(members.map(\.asciiLowercased))).sorted()
            guard members.count <= RequiredLiterals.maximumClassSize else { return nil }
        }
        return members
    }

    /// Whether a class node's source is one whose byte set the shape parser gets right:
    /// written without escapes or POSIX names, and not negated (the parser folds a
    /// caseless class before it complements it, which leaves out the other case of the
    /// excluded letters).
    private static func isTrustedClass(_ written: ArraySlice<UInt8>) -> Bool {
        written.first == UInt8(ascii: "[") && written.dropFirst().first != UInt8(ascii: "^")
            && !written.contains(UInt8(ascii: "\\")) && !written.containsPair(UInt8(ascii: "["), UInt8(ascii: ":"))
    }

    /// The byte a literal node's source stands for, nil when the analysis does not vouch for it.
    private static func literalByte(_ written: ArraySlice<UInt8>) -> UInt8? {
        let characters = Array(written)
        switch characters.count {
        case 1:
            let byte = characters[0]
            return byte < 0x80 ? byte : nil
        case 2 where characters[0] == UInt8(ascii: "\\"):
            let escaped = characters[1]
            switch escaped {
            case UInt8(ascii: "n"): return 0x0a
            case UInt8(ascii: "t"): return 0x09
            case UInt8(ascii: "r"): return 0x0d
            case UInt8(ascii: "f"): return 0x0c
            case UInt8(ascii: "e"): return 0x1b
            case UInt8(ascii: "a"): return 0x07
            default:
                let isPunctuation = (0x21..<0x80).contains(escaped) && !escaped.isASCIIAlphanumeric
                return isPunctuation ? escaped : nil
            }
        default:
            return nil
        }
    }

    /// A sequence: adjacent exact nodes multiply into runs; each run, each node's own
    /// required set, and runs extended by a neighbour's prefix are candidates.
    private func sequence(_ nodes: [ShapeNode]) -> LiteralFacts { sequenceWithCandidates(nodes).facts }

    /// Every set of literals the analysis knows `node` requires, most useful first
    /// (``best(_:)``'s order), usable ones only (``usable(_:)``): a sequence's candidates,
    /// or the one set of any other node.
    func candidates(of node: ShapeNode) -> [[[UInt8]]] {
        let sets: [[[UInt8]]]
        if case .sequence(let nodes) = node.kind {
            let (facts, candidates) = sequenceWithCandidates(nodes)
            sets = candidates + (facts.required.map { [$0] } ?? [])
        } else {
            sets = facts(of: node).required.map { [$0] } ?? []
        }
        var seen = Set<[[UInt8]]>()
        return sets.compactMap(Self.usable).filter { seen.insert($0).inserted }.sorted { Self.score($0) > Self.score($1) }
    }

    private func sequenceWithCandidates(_ nodes: [ShapeNode]) -> (facts: LiteralFacts, candidates: [[[UInt8]]]) {
        var run: [[UInt8]] = [[]]
        var candidates: [[[UInt8]]] = []
        var allExact = true
        var restarted = false
        var prefix: [[UInt8]]?
        for node in nodes {
            let node = facts(of: node)
            if let exact = node.exact {
                if exact.count > 1 { candidates.append(run) }
                if let product = Self.product(run, exact) {
                    run = product
                } else {
                    candidates.append(run)
                    if prefix == nil { prefix = run }
                    restarted = true
                    run = exact
                }
            } else {
                allExact = false
                let extended = node.prefix.flatMap { Self.product(run, $0) }
                if prefix == nil { prefix = extended ?? run }
                candidates.append(extended ?? run)
                if let required = node.required { candidates.append(required) }
                run = node.suffix ?? [[]]
            }
        }
        candidates.append(run)
        let facts = LiteralFacts(
            exact: allExact && !restarted ? run : nil, prefix: prefix ?? run, suffix: run,
            required: Self.best(candidates))
        return (facts, candidates)
    }

    /// An alternation: a set known of every alternative, united.
    private func alternation(_ nodes: [ShapeNode]) -> LiteralFacts {
        let all = nodes.map(facts(of:))
        func united(_ field: (LiteralFacts) -> [[UInt8]]?) -> [[UInt8]]? {
            var result: [[UInt8]] = []
            for facts in all {
                guard let set = field(facts) else { return nil }
                result += set
            }
            return Self.normalised(result)
        }
        return LiteralFacts(exact: united(\.exact), prefix: united(\.prefix), suffix: united(\.suffix), required: united(\.required))
    }

    /// A repeat: `X?` is X or nothing; at least once keeps what X requires and how it
    /// begins and ends; anything optional is unknown.
    private func repeated(_ body: ShapeNode, min: Int, max: Int?) -> LiteralFacts {
        let inner = facts(of: body)
        if min == 0 {
            guard max == 1, let exact = inner.exact, let withEmpty = Self.normalised(exact + [[]]) else { return .unknown }
            return .exactly(withEmpty)
        }
        if min == 1 && max == 1 { return inner }
        return LiteralFacts(exact: nil, prefix: inner.prefix, suffix: inner.suffix, required: inner.required)
    }

    /// Every concatenation of one of `left` with one of `right`; nil when there would be
    /// more than ``RequiredLiterals/maximumAlternatives`` or one longer than the longest kept.
    private static func product(_ left: [[UInt8]], _ right: [[UInt8]]) -> [[UInt8]]? {
        guard left.count * right.count <= RequiredLiterals.maximumAlternatives else { return nil }
        // The common case, a run growing by one character: no duplicates can arise.
        if left.count == 1 && right.count == 1 {
            guard left[0].count + right[0].count <= RequiredLiterals.maximumLength else { return nil }
            return [left[0] + right[0]]
        }
        var result: [[UInt8]] = []
        for first in left {
            for second in right {
                guard first.count + second.count <= RequiredLiterals.maximumLength else { return nil }
                result.append(first + second)
            }
        }
        return normalised(result)
    }

    /// The set without duplicates, in order; nil when it has too many.
    private static func normalised(_ set: [[UInt8]]) -> [[UInt8]]? {
        var seen = Set<[UInt8]>()
        let unique = set.filter { seen.insert($0).inserted }
        return unique.count <= RequiredLiterals.maximumAlternatives ? unique : nil
    }

    /// The most useful candidate: the longest shortest member up to 8 bytes (longer hardly
    /// makes a literal rarer), then the fewest members, then the longest shortest member.
    private static func best(_ candidates: [[[UInt8]]]) -> [[UInt8]]? {
        candidates.filter { !$0.isEmpty }.max { score($0) < score($1) }
    }

    /// How useful a set is: the longest shortest member up to 8 bytes, then the fewest
    /// members, then the longest shortest member.
    static func score(_ set: [[UInt8]]) -> (Int, Int, Int) {
        let shortest = set.map(\.count).min() ?? 0
        return (Swift.min(shortest, 8), -set.count, shortest)
    }

    /// `set` as the literals of a prefilter: without members that contain another member
    /// (a subject with the longer one has the shorter one), nil when a member is shorter
    /// than ``RequiredLiterals/minimumLength``.
    static func usable(_ set: [[UInt8]]) -> [[UInt8]]? {
        guard !set.isEmpty, set.allSatisfy({ $0.count >= RequiredLiterals.minimumLength }) else { return nil }
        let shortestFirst = set.sorted { $0.count < $1.count }
        var kept: [[UInt8]] = []
        for literal in shortestFirst where !kept.contains(where: { literal.contains($0) }) { kept.append(literal) }
        return kept
    }
}

extension UInt8 {
    /// The byte with an ASCII capital letter lower-cased.
    fileprivate var asciiLowercased: UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self + 32 : self }

    /// Whether this is an ASCII letter or digit.
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }

    /// Whether this may appear among the option letters of `(?...)`.
    fileprivate var isOptionLetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || self == UInt8(ascii: "-") || self == UInt8(ascii: "^")
    }
}

extension ArraySlice where Element == UInt8 {
    /// Whether `first` is directly followed by `second` somewhere.
    fileprivate func containsPair(_ first: UInt8, _ second: UInt8) -> Bool {
        zip(self, dropFirst()).contains { $0 == first && $1 == second }
    }
}

extension Array where Element == UInt8 {
    /// Whether `other` occurs in the array (for the short literals of a set).
    fileprivate func contains(_ other: [UInt8]) -> Bool {
        guard other.count <= count else { return false }
        if other.isEmpty { return true }
        return (0...(count - other.count)).contains { self[$0..<$0 + other.count].elementsEqual(other) }
    }
}

extension ShapeNode {
    /// Whether a `{` is read as a character in the node (`source` is the regex's).
    fileprivate func hasLiteralBrace(in source: [UInt8]) -> Bool {
        switch kind {
        case .character(_, let literal): return literal && source[start] == UInt8(ascii: "{")
        case .assertion, .backreference: return false
        case .sequence(let nodes), .alternation(let nodes): return nodes.contains { $0.hasLiteralBrace(in: source) }
        case .group(let body, _, _), .repeated(let body, _, _, _, _): return body.hasLiteralBrace(in: source)
        }
    }
}
