import PCRE2Matching

/// The structure of a regex as far as the catastrophic-shape analysis needs it: sequences,
/// alternatives, groups, repeats, and single characters as sets of bytes, each with its
/// place (UTF-8 offsets) in the source.
struct ShapeNode {
    /// What a group does.
    enum GroupKind {
        /// `(...)`, `(?<name>...)`, `(?:...)`, `(?|...)`, `(?i:...)`.
        case plain
        /// `(?>...)`: what is matched inside is never given back.
        case atomic
        /// `(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)`: zero-width.
        case lookaround
    }

    /// How a repeat behaves.
    enum RepeatMode {
        /// As much as possible, giving back one by one (`a+`).
        case greedy
        /// As little as possible (`a+?`).
        case lazy
        /// As much as possible, never giving back (`a++`).
        case possessive
    }

    /// The kinds of node.
    indirect enum Kind {
        /// One character of the set; `literal` when it was written as a single character.
        case character(ByteSet, literal: Bool)
        /// A zero-width assertion: `^`, `$`, `\b`, `\A`...
        case assertion
        /// A back reference: some text, unknown here.
        case backreference
        /// The nodes one after the other.
        case sequence([ShapeNode])
        /// One of the nodes.
        case alternation([ShapeNode])
        /// A group; `bodyStart` is where its content begins, after `(`, `(?:` and the like.
        case group(ShapeNode, GroupKind, bodyStart: Int)
        /// A repeated node; `quantifierStart` is where `*`, `+`, `?` or `{` is written,
        /// `max` nil for no upper bound.
        case repeated(ShapeNode, min: Int, max: Int?, mode: RepeatMode, quantifierStart: Int)
    }

    /// What the node is.
    var kind: Kind
    /// Where it begins in the source (UTF-8 offset).
    var start: Int
    /// Where it ends in the source (UTF-8 offset, exclusive).
    var end: Int

    /// Whether the node can match the empty text.
    var isNullable: Bool {
        switch kind {
        case .character: return false
        case .assertion, .backreference: return true
        case .sequence(let nodes): return nodes.allSatisfy(\.isNullable)
        case .alternation(let nodes): return nodes.contains(where: \.isNullable)
        case .group(let body, let kind, _): return kind == .lookaround || body.isNullable
        case .repeated(let body, let min, _, _, _): return min == 0 || body.isNullable
        }
    }

    /// The bytes a non-empty match can begin with.
    var firstBytes: ByteSet {
        switch kind {
        case .character(let set, _): return set
        case .assertion: return .none
        case .backreference: return .all
        case .sequence(let nodes):
            var result = ByteSet.none
            for node in nodes {
                result = result.union(node.firstBytes)
                if !node.isNullable { break }
            }
            return result
        case .alternation(let nodes): return nodes.reduce(.none) { $0.union($1.firstBytes) }
        case .group(let body, let kind, _): return kind == .lookaround ? .none : body.firstBytes
        case .repeated(let body, _, _, _, _): return body.firstBytes
        }
    }
}

/// Reads a regex's source into ``ShapeNode``s. Constructs the analysis does not follow
/// (conditionals, recursion, verbs, `(?x)` set inside) make it give up: nil.
struct RegexShapeParser {
    private let bytes: [UInt8]
    private let extended: Bool
    private let dotAll: Bool
    private var caseless: Bool
    private var position = 0

    /// The parser did not follow the pattern.
    private struct Unsupported: Error {}

    /// The shape of `source` compiled with `flags`, or nil when the parser gives up.
    static func parse(_ source: String, flags: RegexFlags) -> ShapeNode? {
        var parser = RegexShapeParser(bytes: Array(source.utf8), flags: flags)
        guard let node = try? parser.alternation(), parser.position == parser.bytes.count else { return nil }
        return node
    }

    private init(bytes: [UInt8], flags: RegexFlags) {
        self.bytes = bytes
        self.extended = flags.contains(.extended)
        self.dotAll = flags.contains(.dotAll)
        // An inline (?i) anywhere is taken to apply everywhere: sets only grow by it.
        self.caseless = flags.contains(.caseless) || bytes.containsSequence(Array("(?i".utf8))
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func peek(_ offset: Int) -> UInt8? { position + offset < bytes.count ? bytes[position + offset] : nil }

    /// Alternatives up to a `)` or the end.
    private mutating func alternation() throws -> ShapeNode {
        let start = position
        var alternatives = [try sequence()]
        while current == UInt8(ascii: "|") {
            position += 1
            alternatives.append(try sequence())
        }
        if alternatives.count == 1 { return alternatives[0] }
        return ShapeNode(kind: .alternation(alternatives), start: start, end: position)
    }

    /// Repeated atoms up to `|`, `)` or the end.
    private mutating func sequence() throws -> ShapeNode {
        let start = position
        var nodes: [ShapeNode] = []
        while true {
            skipExtendedBlanks()
            guard let byte = current, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") else { break }
            let atomStart = position
            var node = try atom()
            while let repeated = try quantifier(on: node, atomStart: atomStart) { node = repeated }
            nodes.append(node)
        }
        if nodes.count == 1 { return nodes[0] }
        return ShapeNode(kind: .sequence(nodes), start: start, end: position)
    }

    /// Blanks and `#` comments under the `x` flag.
    private mutating func skipExtendedBlanks() {
        guard extended else { return }
        while let byte = current {
            if byte == 0x20 || (0x09...0x0d).contains(byte) {
                position += 1
            } else if byte == UInt8(ascii: "#") {
                while let next = current, next != 0x0a { position += 1 }
            } else {
                return
            }
        }
    }

    /// A quantifier after `node`, if one follows.
    private mutating func quantifier(on node: ShapeNode, atomStart: Int) throws -> ShapeNode? {
        skipExtendedBlanks()
        let quantifierStart = position
        var bounds: (min: Int, max: Int?)
        switch current {
        case UInt8(ascii: "*"): bounds = (0, nil); position += 1
        case UInt8(ascii: "+"): bounds = (1, nil); position += 1
        case UInt8(ascii: "?"): bounds = (0, 1); position += 1
        case UInt8(ascii: "{"):
            guard let braced = bracedBounds() else { return nil }
            bounds = braced
        default: return nil
        }
        var mode = ShapeNode.RepeatMode.greedy
        if current == UInt8(ascii: "?") {
            mode = .lazy
            position += 1
        } else if current == UInt8(ascii: "+") {
            mode = .possessive
            position += 1
        }
        return ShapeNode(
            kind: .repeated(node, min: bounds.min, max: bounds.max, mode: mode, quantifierStart: quantifierStart),
            start: atomStart, end: position)
    }

    /// `{n}`, `{n,}` or `{n,m}` at the position, consumed; nil (nothing consumed) when the
    /// brace is a literal.
    private mutating func bracedBounds() -> (min: Int, max: Int?)? {
        var cursor = position + 1
        func number() -> Int? {
            let start = cursor
            while cursor < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[cursor]) { cursor += 1 }
            guard cursor > start, cursor - start < 7 else { return nil }
            return Int(String(decoding: bytes[start..<cursor], as: UTF8.self))
        }
        guard let minimum = number() else { return nil }
        var maximum: Int? = minimum
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ",") {
            cursor += 1
            maximum = cursor < bytes.count && bytes[cursor] == UInt8(ascii: "}") ? nil : number()
            if maximum == nil, cursor < bytes.count, bytes[cursor] != UInt8(ascii: "}") { return nil }
        }
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "}") else { return nil }
        position = cursor + 1
        return (minimum, maximum)
    }

    /// One atom: a character, a group, an assertion.
    private mutating func atom() throws -> ShapeNode {
        let start = position
        guard let byte = current else { throw Unsupported() }
        switch byte {
        case UInt8(ascii: "("):
            return try group()
        case UInt8(ascii: "["):
            return ShapeNode(kind: .character(try characterClass(), literal: false), start: start, end: position)
        case UInt8(ascii: "\\"):
            return try escape()
        case UInt8(ascii: "."):
            position += 1
            return ShapeNode(kind: .character(dotAll ? .all : .dot, literal: false), start: start, end: position)
        case UInt8(ascii: "^"), UInt8(ascii: "$"):
            position += 1
            return ShapeNode(kind: .assertion, start: start, end: position)
        default:
            position += Self.scalarLength(byte)
            return ShapeNode(kind: .character(folded(ByteSet(byte)), literal: true), start: start, end: position)
        }
    }

    /// The UTF-8 length of the character that begins with `byte`.
    private static func scalarLength(_ byte: UInt8) -> Int {
        switch byte {
        case 0xf0...: return 4
        case 0xe0...: return 3
        case 0xc0...: return 2
        default: return 1
        }
    }

    private func folded(_ set: ByteSet) -> ByteSet { caseless ? set.caseFolded : set }

    /// A group at `(`.
    private mutating func group() throws -> ShapeNode {
        let start = position
        position += 1
        var kind = ShapeNode.GroupKind.plain
        if current == UInt8(ascii: "*") { throw Unsupported() }
        if current == UInt8(ascii: "?") {
            position += 1
            switch current {
            case UInt8(ascii: ":"), UInt8(ascii: "|"): position += 1
            case UInt8(ascii: ">"): kind = .atomic; position += 1
            case UInt8(ascii: "="), UInt8(ascii: "!"): kind = .lookaround; position += 1
            case UInt8(ascii: "#"):
                while let byte = current, byte != UInt8(ascii: ")") { position += 1 }
                guard current != nil else { throw Unsupported() }
                position += 1
                return ShapeNode(kind: .assertion, start: start, end: position)
            case UInt8(ascii: "<") where peek(1) == UInt8(ascii: "=") || peek(1) == UInt8(ascii: "!"):
                kind = .lookaround
                position += 2
            case UInt8(ascii: "<"), UInt8(ascii: "'"), UInt8(ascii: "P"):
                if current == UInt8(ascii: "P") {
                    guard peek(1) == UInt8(ascii: "<") else { throw Unsupported() }
                    position += 1
                }
                let close = current == UInt8(ascii: "'") ? UInt8(ascii: "'") : UInt8(ascii: ">")
                while let byte = current, byte != close { position += 1 }
                guard current != nil else { throw Unsupported() }
                position += 1
            case UInt8(ascii: "R"), UInt8(ascii: "C"), UInt8(ascii: "&"), UInt8(ascii: "("), UInt8(ascii: "+"),
                .some(UInt8(ascii: "0")...UInt8(ascii: "9")):
                // Recursion, callouts and conditionals are not followed.
                throw Unsupported()
            case UInt8(ascii: "-") where peek(1).map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? false:
                throw Unsupported()
            default:
                // Option settings such as (?i) or (?i:...); others are not followed.
                while let byte = current, byte.isASCIILetter || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "^") {
                    if byte == UInt8(ascii: "x") { throw Unsupported() }
                    position += 1
                }
                if current == UInt8(ascii: ")") {
                    position += 1
                    return ShapeNode(kind: .assertion, start: start, end: position)
                }
                guard current == UInt8(ascii: ":") else { throw Unsupported() }
                position += 1
            }
        }
        let bodyStart = position
        let body = try alternation()
        guard current == UInt8(ascii: ")") else { throw Unsupported() }
        position += 1
        return ShapeNode(kind: .group(body, kind, bodyStart: bodyStart), start: start, end: position)
    }

    /// An escape at `\` outside a class.
    private mutating func escape() throws -> ShapeNode {
        let start = position
        guard let letter = peek(1) else { throw Unsupported() }
        position += 2
        func node(_ kind: ShapeNode.Kind) -> ShapeNode { ShapeNode(kind: kind, start: start, end: position) }
        if let set = Self.classEscape(letter) { return node(.character(set, literal: false)) }
        switch letter {
        case UInt8(ascii: "b"), UInt8(ascii: "B"), UInt8(ascii: "A"), UInt8(ascii: "z"), UInt8(ascii: "Z"),
            UInt8(ascii: "G"), UInt8(ascii: "K"):
            return node(.assertion)
        case UInt8(ascii: "1")...UInt8(ascii: "9"), UInt8(ascii: "g"), UInt8(ascii: "k"):
            skipReferenceName()
            return node(.backreference)
        case UInt8(ascii: "N"):
            return node(.character(.dot, literal: false))
        case UInt8(ascii: "R"), UInt8(ascii: "X"), UInt8(ascii: "C"):
            return node(.character(.all, literal: false))
        case UInt8(ascii: "p"), UInt8(ascii: "P"):
            skipBraced()
            return node(.character(.all, literal: false))
        case UInt8(ascii: "Q"):
            return try quoted(start)
        default:
            guard let value = try escapedValue(letter) else { return node(.character(.all, literal: false)) }
            return node(.character(folded(ByteSet(value)), literal: true))
        }
    }

    /// `\Q...\E` after `\Q`: its characters as one sequence of literals.
    private mutating func quoted(_ start: Int) throws -> ShapeNode {
        var nodes: [ShapeNode] = []
        while let byte = current, !(byte == UInt8(ascii: "\\") && peek(1) == UInt8(ascii: "E")) {
            let characterStart = position
            position += Self.scalarLength(byte)
            nodes.append(ShapeNode(kind: .character(folded(ByteSet(byte)), literal: true), start: characterStart, end: position))
        }
        if current != nil { position += 2 }
        if nodes.count == 1 { return nodes[0] }
        return ShapeNode(kind: nodes.isEmpty ? .assertion : .sequence(nodes), start: start, end: position)
    }

    /// The sets of `\d`, `\w`, `\s`, `\h`, `\v` and their negations.
    private static func classEscape(_ letter: UInt8) -> ByteSet? {
        switch letter {
        case UInt8(ascii: "d"): return .digits
        case UInt8(ascii: "D"): return ByteSet.digits.complement
        case UInt8(ascii: "w"): return .word
        case UInt8(ascii: "W"): return ByteSet.word.complement
        case UInt8(ascii: "s"): return .space
        case UInt8(ascii: "S"): return ByteSet.space.complement
        case UInt8(ascii: "h"): return .horizontalSpace
        case UInt8(ascii: "H"): return ByteSet.horizontalSpace.complement
        case UInt8(ascii: "v"): return .verticalSpace
        case UInt8(ascii: "V"): return ByteSet.verticalSpace.complement
        default: return nil
        }
    }

    /// The byte an escape after `\` stands for (`letter` consumed), nil for a character
    /// beyond one byte; `\x{...}`, `\o{...}` and `\c` are read on.
    private mutating func escapedValue(_ letter: UInt8) throws -> UInt8? {
        switch letter {
        case UInt8(ascii: "n"): return 0x0a
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "r"): return 0x0d
        case UInt8(ascii: "f"): return 0x0c
        case UInt8(ascii: "e"): return 0x1b
        case UInt8(ascii: "a"): return 0x07
        case UInt8(ascii: "0"):
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) { position += 1 }
            return nil
        case UInt8(ascii: "c"):
            guard let byte = current else { throw Unsupported() }
            position += 1
            return byte & 0x1f
        case UInt8(ascii: "x"):
            if current == UInt8(ascii: "{") {
                let digits = skipBraced()
                return UInt8(digits, radix: 16)
            }
            let start = position
            while position < start + 2, let byte = current, byte.isHexDigit { position += 1 }
            return start == position ? 0 : UInt8(String(decoding: bytes[start..<position], as: UTF8.self), radix: 16)
        case UInt8(ascii: "o"):
            skipBraced()
            return nil
        default:
            if letter >= 0x80 {
                position += Self.scalarLength(letter) - 1
                return letter
            }
            return letter
        }
    }

    /// Skips `{...}` at the position; its content.
    @discardableResult
    private mutating func skipBraced() -> String {
        guard current == UInt8(ascii: "{") else {
            if current != nil { position += 1 }
            return ""
        }
        let start = position + 1
        while let byte = current, byte != UInt8(ascii: "}") { position += 1 }
        let content = String(decoding: bytes[start..<min(position, bytes.count)], as: UTF8.self)
        if current != nil { position += 1 }
        return content
    }

    /// Skips the rest of a back reference: digits, `{name}`, `<name>`, `'name'`.
    private mutating func skipReferenceName() {
        if let byte = current, byte == UInt8(ascii: "{") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: "'") {
            let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : byte == UInt8(ascii: "<") ? UInt8(ascii: ">") : byte
            position += 1
            while let next = current, next != close { position += 1 }
            if current != nil { position += 1 }
            return
        }
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") {
            position += 1
        }
    }

    /// A character class at `[`: its set.
    private mutating func characterClass() throws -> ByteSet {
        position += 1
        var negated = false
        if current == UInt8(ascii: "^") {
            negated = true
            position += 1
        }
        var set = ByteSet.none
        var first = true
        while let byte = current, byte != UInt8(ascii: "]") || first {
            first = false
            if byte == UInt8(ascii: "["), peek(1) == UInt8(ascii: ":") {
                // A POSIX class such as [:alpha:]: taken as any byte.
                while let next = current, !(next == UInt8(ascii: ":") && peek(1) == UInt8(ascii: "]")) { position += 1 }
                guard current != nil else { throw Unsupported() }
                position += 2
                set = set.union(.all)
                continue
            }
            guard let low = try classMember(&set) else { continue }
            if current == UInt8(ascii: "-"), let after = peek(1), after != UInt8(ascii: "]") {
                position += 1
                var ignored = ByteSet.none
                if let high = try classMember(&ignored), high >= low {
                    set = set.union(ByteSet(range: low...high))
                } else {
                    set = set.union(.all)
                }
            } else {
                set.insert(low)
            }
        }
        guard current == UInt8(ascii: "]") else { throw Unsupported() }
        position += 1
        set = folded(set)
        return negated ? set.complement : set
    }

    /// One member of a class at the position: its byte, or nil after adding a set such as
    /// `\d` (or a character beyond one byte, as any byte) to `set`.
    private mutating func classMember(_ set: inout ByteSet) throws -> UInt8? {
        guard let byte = current else { throw Unsupported() }
        if byte == UInt8(ascii: "\\") {
            guard let letter = peek(1) else { throw Unsupported() }
            position += 2
            if let escaped = Self.classEscape(letter) {
                set = set.union(escaped)
                return nil
            }
            switch letter {
            case UInt8(ascii: "b"): return 0x08
            case UInt8(ascii: "p"), UInt8(ascii: "P"), UInt8(ascii: "Q"), UInt8(ascii: "E"), UInt8(ascii: "N"):
                if letter == UInt8(ascii: "p") || letter == UInt8(ascii: "P") { skipBraced() }
                set = set.union(.all)
                return nil
            default:
                guard let value = try escapedValue(letter) else {
                    set = set.union(.all)
                    return nil
                }
                return value
            }
        }
        position += Self.scalarLength(byte)
        if byte >= 0x80 {
            set = set.union(ByteSet(range: 0x80...0xff))
            return nil
        }
        return byte
    }
}

extension UInt8 {
    /// Whether this is an ASCII letter.
    fileprivate var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }

    /// Whether this is an ASCII hexadecimal digit.
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}

extension Array where Element == UInt8 {
    /// Whether `sequence` occurs in the array.
    fileprivate func containsSequence(_ sequence: [UInt8]) -> Bool {
        guard sequence.count <= count else { return false }
        return (0...(count - sequence.count)).contains { self[$0..<$0 + sequence.count].elementsEqual(sequence) }
    }
}
