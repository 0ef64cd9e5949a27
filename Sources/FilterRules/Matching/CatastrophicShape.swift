import PCRE2Matching

/// A regex of a shape known to backtrack catastrophically: on a text it does not match it
/// tries exponentially many ways before giving up, so a long line costs the full match and
/// time limits (and then the rule does not match).
///
/// Found by ``find(in:flags:)`` in the pattern's source: a repeated group holding an
/// unbounded repeat that can also match what follows it, within the group (`(.*a){20}`) or
/// at the start of the group's next repetition (`(a+)+`, `(.*)*`, `(\w+\s?)+$`), or holding
/// alternatives that can match the same text (`(x|x)*`). Repeats that never give back
/// (`a++`, `(?>a+)`) are safe. The analysis is a heuristic: it knows characters as sets of
/// bytes and gives up on recursion and conditionals; it does not find every slow pattern.
public struct CatastrophicShape: Sendable, Equatable {
    /// Where to point, as a UTF-8 offset in the source: the inner repeat's quantifier, or
    /// the second of two alternatives that can match the same text.
    public var offset: Int
    /// What is wrong and how to fix it, the pattern rewritten where that is possible.
    public var message: String

    /// Creates a finding.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// The first catastrophic shape of `source` compiled with `flags`, nil when none is found.
    public static func find(in source: String, flags: RegexFlags) -> CatastrophicShape? {
        guard let root = RegexShapeParser.parse(source, flags: flags) else { return nil }
        return ShapeSearch(source: Array(source.utf8), flags: flags).search(root)
    }
}

/// The search of one pattern's shape tree.
private struct ShapeSearch {
    let source: [UInt8]
    let flags: RegexFlags

    /// The text of `node` as written.
    func text(_ node: ShapeNode) -> String { String(decoding: source[node.start..<node.end], as: UTF8.self) }

    /// The pattern with `range` replaced by `replacement`, between slashes with its flags.
    func rewritten(_ range: Range<Int>, _ replacement: String) -> String {
        let bytes = source[..<range.lowerBound] + Array(replacement.utf8) + source[range.upperBound...]
        return "/" + String(decoding: bytes, as: UTF8.self) + "/" + flags.letters
    }

    /// The first finding in `node`, outer repeats first.
    func search(_ node: ShapeNode) -> CatastrophicShape? {
        switch node.kind {
        case .repeated(let body, _, let max, let mode, _):
            if mode != .possessive, max.map({ $0 > 1 }) ?? true, let found = examine(repeatedGroup: node, body: body) {
                return found
            }
            return search(body)
        case .sequence(let nodes), .alternation(let nodes):
            for child in nodes { if let found = search(child) { return found } }
            return nil
        case .group(let body, _, _):
            return search(body)
        case .character, .assertion, .backreference:
            return nil
        }
    }

    /// A finding in the body of `repeatedGroup`, which may repeat more than once.
    private func examine(repeatedGroup: ShapeNode, body: ShapeNode) -> CatastrophicShape? {
        if let found = ambiguousAlternatives(repeatedGroup, body) { return found }
        var walk = FollowWalk(search: self, body: body)
        walk.visit(body, follow: .none, next: nil, reachesEnd: true)
        return walk.findings.min { $0.offset < $1.offset }
    }

    /// Two alternatives of the repeated group that can match the same text.
    private func ambiguousAlternatives(_ repeatedGroup: ShapeNode, _ body: ShapeNode) -> CatastrophicShape? {
        var inner = body
        if case .group(let content, .plain, _) = body.kind { inner = content }
        guard case .alternation(let alternatives) = inner.kind else { return nil }
        for (index, first) in alternatives.enumerated() {
            for second in alternatives[(index + 1)...] where Self.mayMatchTheSameText(first, second) {
                return CatastrophicShape(
                    offset: second.start,
                    message: "catastrophic backtracking: the alternatives '\(text(first))' "
                        + "and '\(text(second))' can match the same text, and the group is repeated, so a text can be matched in "
                        + "exponentially many ways; make them differ, or \(atomicFix(body))")
            }
        }
        return nil
    }

    /// `the group atomic, as in /(?>...)+/`, or without an example when the body is no group.
    func atomicFix(_ body: ShapeNode) -> String {
        guard case .group(_, .plain, let bodyStart) = body.kind else { return "make the repeated part atomic, with (?>...)" }
        return "the group atomic, as in \(rewritten(body.start..<bodyStart, "(?>"))"
    }

    /// Whether two alternatives may match the same text: for alternatives of fixed length
    /// the same length and overlapping characters at every place, otherwise overlapping
    /// first characters.
    static func mayMatchTheSameText(_ first: ShapeNode, _ second: ShapeNode) -> Bool {
        if let one = fixedCharacters(first), let other = fixedCharacters(second) {
            return one.count == other.count && zip(one, other).allSatisfy { $0.overlaps($1) }
        }
        return first.firstBytes.overlaps(second.firstBytes)
    }

    /// The characters of a node that matches a fixed number of them, nil otherwise.
    static func fixedCharacters(_ node: ShapeNode) -> [ByteSet]? {
        switch node.kind {
        case .character(let set, _): return [set]
        case .assertion: return []
        case .backreference, .alternation: return nil
        case .sequence(let nodes):
            var result: [ByteSet] = []
            for child in nodes {
                guard let characters = fixedCharacters(child) else { return nil }
                result += characters
                if result.count > 64 { return nil }
            }
            return result
        case .group(let body, let kind, _):
            return kind == .lookaround ? [] : fixedCharacters(body)
        case .repeated(let body, let min, let max, _, _):
            guard max == min, min <= 64, let characters = fixedCharacters(body) else { return nil }
            return Array(repeating: characters, count: min).flatMap { $0 }
        }
    }
}

/// Walks the body of a repeated group with what may follow each place in it: within the
/// same repetition, and whether the end of the repetition (so the start of the next) may
/// follow. Every unbounded repeat whose characters overlap what follows it is a finding.
private struct FollowWalk {
    let search: ShapeSearch
    let body: ShapeNode
    /// The findings, in the order visited (from the end of each sequence).
    private(set) var findings: [CatastrophicShape] = []

    init(search: ShapeSearch, body: ShapeNode) {
        self.search = search
        self.body = body
    }

    /// Visits `node`, which `follow` may follow within the repetition (`next` right after
    /// it, when that is one node of the same sequence), and the repetition's end when
    /// `reachesEnd`.
    mutating func visit(_ node: ShapeNode, follow: ByteSet, next: ShapeNode?, reachesEnd: Bool) {
        switch node.kind {
        case .sequence(let nodes):
            var after = (follow: follow, next: next, reachesEnd: reachesEnd)
            for child in nodes.reversed() {
                visit(child, follow: after.follow, next: after.next, reachesEnd: after.reachesEnd)
                let nullable = child.isNullable
                after = (child.firstBytes.union(nullable ? after.follow : .none), child, nullable && after.reachesEnd)
            }
        case .alternation(let nodes):
            for child in nodes { visit(child, follow: follow, next: next, reachesEnd: reachesEnd) }
        case .group(let content, .plain, _):
            visit(content, follow: follow, next: next, reachesEnd: reachesEnd)
        case .repeated(let child, _, let max, let mode, _):
            if max == nil, mode != .possessive { examine(inner: node, child, follow: follow, next: next, reachesEnd: reachesEnd) }
            let again = max.map { $0 > 1 } ?? true ? child.firstBytes : .none
            visit(child, follow: again.union(follow), next: nil, reachesEnd: reachesEnd)
        case .group(_, .atomic, _), .group(_, .lookaround, _), .character, .assertion, .backreference:
            // What an atomic group matched is never given back; lookarounds take nothing.
            break
        }
    }

    /// Whether the unbounded repeat `inner` of `child` can also match what follows it.
    private mutating func examine(inner repeated: ShapeNode, _ child: ShapeNode, follow: ByteSet, next: ShapeNode?, reachesEnd: Bool) {
        guard case .repeated(_, _, _, let mode, let quantifierStart) = repeated.kind else { return }
        let characters = child.firstBytes
        let inner = search.text(repeated)
        let problem = "catastrophic backtracking: '\(inner)'"
        if characters.overlaps(follow) {
            if case .character(let set, _) = child.kind, set == .dot || set == .all,
                let next, case .character(_, literal: true) = next.kind
            {
                let stop = search.text(next)
                findings.append(
                    CatastrophicShape(
                        offset: quantifierStart,
                        message: "\(problem) also matches the '\(stop)' after it, "
                            + "and the group is repeated, so a text can be split in exponentially many ways; stop it before '\(stop)', "
                            + "as in \(search.rewritten(child.start..<child.end, "[^\(stop)]"))"))
            } else {
                findings.append(
                    CatastrophicShape(
                        offset: quantifierStart,
                        message: "\(problem) also matches what can follow it, "
                            + "and the group is repeated, so a text can be split in exponentially many ways; make "
                            + search.atomicFix(body)))
            }
        } else if reachesEnd, characters.overlaps(body.firstBytes) {
            let fix =
                mode == .greedy
                ? "make it possessive, as in \(search.rewritten(repeated.end..<repeated.end, "+"))"
                : "make " + search.atomicFix(body)
            findings.append(
                CatastrophicShape(
                    offset: quantifierStart,
                    message: "\(problem) inside a repeated group can split a text "
                        + "between the repetitions in exponentially many ways; \(fix)"))
        }
    }
}
