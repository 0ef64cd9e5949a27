/// A word of a rule line.
struct RuleToken {
    /// What kind of word it is.
    enum Kind: Equatable {
        /// A bare word (keyword, header name, CIDR, code, `!`).
        case word(String)
        /// `/REGEX/FLAGS`: the regex text as written (escapes kept) and the flag letters.
        case regex(source: String, flags: String, flagsOffset: Int)
        /// `"TEXT"` with escapes resolved.
        case quoted(String)
    }

    /// The kind and content.
    var kind: Kind
    /// Offset of its first character in the logical line.
    var offset: Int
    /// Offset of the regex text's first character (after the opening `/`).
    var contentOffset: Int
    /// Offset just after its last character.
    var end: Int

    /// The word, when it is a bare word.
    var word: String? {
        if case .word(let text) = kind { return text }
        return nil
    }

    /// How the token reads in a message.
    var display: String {
        switch kind {
        case .word(let text): return text
        case .regex(let source, let flags, _): return "/\(source)/\(flags)"
        case .quoted(let text): return "\"\(text)\""
        }
    }
}

/// Splits a logical line into tokens; stops at a comment.
struct RuleTokenizer {
    /// A problem that ends tokenizing of the line.
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    /// Tokenizes `line`.
    static func tokenize(_ line: [Character]) -> Result<[RuleToken], Failure> {
        var tokens: [RuleToken] = []
        var index = 0
        func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" }
        while index < line.count {
            let c = line[index]
            if isSpace(c) { index += 1; continue }
            if c == "#" { break }
            let start = index
            if c == "!" && index + 1 < line.count && line[index + 1] == "/" {
                tokens.append(RuleToken(kind: .word("!"), offset: index, contentOffset: index, end: index + 1))
                index += 1
                continue
            }
            if c == "/" {
                guard let (source, end) = RegexLiteral.scan(line, openingAt: index) else {
                    return .failure(Failure(offset: start, message: "unterminated regex, expected a closing '/'"))
                }
                index = end
                let flagsStart = index
                while index < line.count && !isSpace(line[index]) && line[index] != ")" { index += 1 }
                tokens.append(
                    RuleToken(
                        kind: .regex(
                            source: source, flags: String(line[flagsStart..<index]),
                            flagsOffset: flagsStart),
                        offset: start, contentOffset: start + 1, end: index))
                continue
            }
            if c == "\"" {
                var text: [Character] = []
                index += 1
                var closed = false
                while index < line.count {
                    let d = line[index]
                    if d == "\\" && index + 1 < line.count && (line[index + 1] == "\"" || line[index + 1] == "\\") {
                        text.append(line[index + 1])
                        index += 2
                        continue
                    }
                    if d == "\"" { closed = true; index += 1; break }
                    if d.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
                        return .failure(Failure(offset: index, message: "control character in reply text"))
                    }
                    text.append(d)
                    index += 1
                }
                guard closed else {
                    return .failure(Failure(offset: start, message: "unterminated text, expected a closing '\"'"))
                }
                tokens.append(RuleToken(kind: .quoted(String(text)), offset: start, contentOffset: start + 1, end: index))
                continue
            }
            // Parentheses group conditions: each is a word of its own.
            if c == "(" || c == ")" {
                tokens.append(RuleToken(kind: .word(String(c)), offset: start, contentOffset: start, end: index + 1))
                index += 1
                continue
            }
            while index < line.count && !isSpace(line[index]) && line[index] != "(" && line[index] != ")" { index += 1 }
            tokens.append(RuleToken(kind: .word(String(line[start..<index])), offset: start, contentOffset: start, end: index))
        }
        return .success(tokens)
    }
}
