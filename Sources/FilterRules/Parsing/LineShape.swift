/// How a line of a rules file reads before it is parsed: in which of the two formats it
/// makes sense. The same test picks the format of a file (from its first rule line) and
/// finds the lines written in the other one; filter-rules.conf(5) lists its rules.
///
/// A line reads as the rules format when, after its first word (a stage, in any case),
/// an optional `!` and, for `header`, a header name and an optional `!`:
/// - the next word begins with `/` or `!/` (a `/regex/`) — unless it reads as a path
///   (`/bin/sh`: a later slash followed by what are not flag letters), the first word is
///   a filter-regex keyword and no action follows on the line — or is an address block
///   with a prefix length (`10.0.0.0/8`), or
/// - the word after that one is an action (`accept`, `reject`, `tempfail`, `disconnect`);
///
/// and also when it is a `set` line or ends in a continuation backslash. It reads as the
/// filter-regex format when it does not, and its first word is one of that format's
/// keywords exactly (lower case).
enum LineShape: Equatable {
    /// Blank, or a comment in both formats (its first word begins with `#`).
    case blankOrComment
    /// A line that reads as the rules format, and why.
    case rules(RulesEvidence)
    /// A line that reads as a filter-regex rule.
    case legacy(LegacyRule)
    /// Neither: an error in both formats (an unknown first word, say).
    case neither

    /// Why a line reads as the rules format.
    enum RulesEvidence: Equatable {
        /// A `set` line.
        case option
        /// A `/regex/` (or `!/regex/`) where the pattern goes.
        case regex
        /// An address block with a prefix length where the pattern goes.
        case addressBlock
        /// An action after the pattern.
        case action
        /// A continuation backslash at the end.
        case continued
        /// A condition that begins with `not` or `(`.
        case condition
        /// A list file (`file "PATH"`) where the pattern goes.
        case list
        /// A DNS list: a `dnslist` declaration, or `listed NAME` where the pattern goes.
        case dnsList
        /// A store: a `limit` or `dynlist` declaration, or `over NAME` or `in NAME` where the
        /// pattern goes.
        case store
    }

    /// A line `KEYWORD [! ]REGEX` in the filter-regex format.
    struct LegacyRule: Equatable {
        /// The keyword, as written (lower case).
        var keyword: String
        /// Whether a `!` word makes it an exception.
        var isException: Bool
        /// The regex as the rules format would put it between slashes: the words from the
        /// regex on, up to a comment; nil when the keyword stands alone.
        var regex: String?
        /// The offset of the regex's first character, or of the end of the line.
        var regexOffset: Int
    }

    /// Whether `word`, which begins with `/` or `!/`, reads as a path-like filter-regex
    /// regex (`/bin/sh`, `/etc/passwd`) rather than a `/regex/`: a slash closes it and
    /// what follows that slash is not flag letters.
    static func isPathLike(_ word: String) -> Bool {
        let body = word.hasPrefix("!") ? word.dropFirst() : Substring(word)
        guard let close = body.dropFirst().lastIndex(of: "/") else { return false }
        let tail = body[body.index(after: close)...]
        return !tail.isEmpty && !tail.allSatisfy { "ixsmu".contains($0) }
    }

    /// The action words of the rules format, lower case.
    static let actionWords: Set<String> = [
        "accept", "reject", "tempfail", "disconnect", "greylist", "junk", "add-header", "warn", "score", "add-to", "remove-from",
    ]

    /// The shape of `line`; `continued` when it ends in (or, joined, ended in) a continuation backslash.
    init(_ line: [Character], continued: Bool) {
        let words = LineWords.ranges(line)
        guard let first = words.first, line[first.lowerBound] != "#" else {
            self = .blankOrComment
            return
        }
        if continued {
            self = .rules(.continued)
            return
        }
        let keyword = String(line[first])
        if keyword.lowercased() == "set" {
            self = .rules(.option)
            return
        }
        if keyword.lowercased() == "dnslist" {
            self = .rules(.dnsList)
            return
        }
        if ["limit", "dynlist"].contains(keyword.lowercased()) {
            self = .rules(.store)
            return
        }
        if keyword.lowercased() == "not" || keyword.hasPrefix("(") {
            self = .rules(.condition)
            return
        }
        guard let stage = Stage.named(keyword) else {
            self = .neither
            return
        }
        if stage == .score {
            self = .rules(.condition)
            return
        }
        func text(_ index: Int) -> String? {
            index < words.count ? String(line[words[index]]) : nil
        }
        var index = 1
        var isException = false
        // A `!` is a negation when a word follows it; alone, filter-regex takes it as the regex.
        if text(index) == "!", index + 1 < words.count {
            isException = true
            index += 1
        }
        if stage == .header, let name = text(index), name != "!", !name.hasPrefix("/"), !name.hasPrefix("!/") {
            index += 1
            if text(index) == "!" { index += 1 }
        }
        // The pattern, unless a comment begins where it should be.
        let pattern = text(index).flatMap { $0.hasPrefix("#") ? nil : $0 }
        if let pattern {
            if pattern.lowercased() == "file", let path = text(index + 1), path.hasPrefix("\"") {
                self = .rules(.list)
                return
            }
            if pattern.lowercased() == "listed", text(index + 1) != nil {
                self = .rules(.dnsList)
                return
            }
            if pattern.lowercased() == "links", text(index + 1)?.lowercased() == "listed" {
                self = .rules(.dnsList)
                return
            }
            if ["over", "in"].contains(pattern.lowercased()), text(index + 1) != nil {
                self = .rules(.store)
                return
            }
            if pattern.hasPrefix("/") || pattern.hasPrefix("!/"),
                LegacyRulesParser.keywords[keyword] == nil || !Self.isPathLike(pattern)
                    || words[(index + 1)...].contains(where: { Self.actionWords.contains(String(line[$0]).lowercased()) })
            {
                self = .rules(.regex)
                return
            }
            if pattern.contains("/"), case .success = CIDRBlock.parse(pattern) {
                self = .rules(.addressBlock)
                return
            }
            if let next = text(index + 1), Self.actionWords.contains(next.lowercased()) {
                self = .rules(.action)
                return
            }
        }
        guard LegacyRulesParser.keywords[keyword] != nil else {
            self = .neither
            return
        }
        guard pattern != nil else {
            self = .legacy(
                LegacyRule(
                    keyword: keyword, isException: isException, regex: nil,
                    regexOffset: index < words.count ? words[index].lowerBound : line.count))
            return
        }
        // The regex, up to the first word that begins a comment.
        var last = index
        while last + 1 < words.count, line[words[last + 1].lowerBound] != "#" { last += 1 }
        self = .legacy(
            LegacyRule(
                keyword: keyword, isException: isException,
                regex: String(line[words[index].lowerBound..<words[last].upperBound]),
                regexOffset: words[index].lowerBound))
    }
}
