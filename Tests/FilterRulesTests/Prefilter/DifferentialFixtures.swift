import Foundation
@testable import FilterRules
import SMTPDTestDouble

/// Inputs of the differential tests.
enum DifferentialFixtures {
    /// The repository's root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Every rules file the project ships or keeps as a fixture.
    static let shippedFiles: [String] = {
        var paths = ["rules.example", "packaging/debian/filter-rules.conf", "contrib/filter-regex.conf"]
        let corpus = root.appendingPathComponent("Fuzz/corpus/rules").path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? [] {
            paths.append("Fuzz/corpus/rules/" + name)
        }
        return paths.map { root.appendingPathComponent($0).path }
            .filter { (try? RuleSetLoader.load(path: $0)) != nil }.sorted()
    }()

    /// The subject of `stage` for `text`.
    static func subject(_ text: String, for stage: Stage) -> MatchSubject {
        switch stage {
        case .addr: return MatchSubject(address: text)
        case .header: return MatchSubject(headerLine: Array(text.utf8))
        default: return MatchSubject(text: text)
        }
    }

    /// Subjects made of pieces of the set's own regexes (their literal runs, in random case,
    /// joined and mixed with header names, anchors' neighbours and odd bytes), so that many
    /// match one rule or several, and many almost match.
    static func subjects(from set: CompiledRuleSet, count: Int, using generator: inout SeededGenerator) -> [String] {
        var pieces = [
            "", " ", "Subject: ", "X-Mailer: ", "From: ", "\n", "\u{0B}", "é", "\t", ".", "@", "192.0.2.1",
            "example.org", "localhost", "<>", "mx.", "0.", "1", "42",
        ]
        for rule in set.rules {
            guard case .regex(let regex) = rule.predicate else { continue }
            pieces += literalRuns(of: regex.pattern)
            if let name = rule.rule.headerName { pieces.append(name + ": ") }
        }
        return (0..<count).map { _ in
            var text = ""
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                var piece = pieces.randomElement(using: &generator)!
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: piece = piece.uppercased()
                case 1: piece = String(piece.dropFirst())
                default: break
                }
                text += piece
            }
            return text
        }
    }

    /// The runs of letters, digits and simple punctuation in a regex's source (escapes
    /// dropped), e.g. `viagra`, `example`, `org` from `\b(?:viagra)\b@example\.org`.
    static func literalRuns(of pattern: String) -> [String] {
        var runs: [String] = []
        var current = ""
        var escaped = false
        for character in pattern {
            if escaped {
                escaped = false
                if ".-@/$+?*()[]{}|^ ".contains(character) { current.append(character) } else { runs.append(current); current = "" }
                continue
            }
            if character == "\\" { escaped = true; continue }
            if character.isLetter || character.isNumber || " -_@:<>=".contains(character) {
                current.append(character)
            } else {
                if !current.isEmpty { runs.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { runs.append(current) }
        return runs.filter { !$0.isEmpty }
    }

    /// The benchmark's kind of spam rule `index` (dataline, each with its own token).
    static func spamRule(_ index: Int) -> String {
        let token = "zq" + String(format: "%05d", index) + "xx"
        let templates = [
            "dataline /buy cheap (?:viagra|cialis|levitra) online TOKEN/i reject",
            "dataline /https?:\\/\\/[a-z0-9.-]+\\.TOKEN\\.(?:ru|cn|top|xyz)\\b/i reject",
            "dataline /^Subject: .*urgent wire transfer TOKEN/ tempfail",
            "dataline /bitcoin wallet [13][a-km-zA-HJ-NP-Z1-9]{25,34} TOKEN/ disconnect",
            "dataline /limited[ -]time offer.{0,20}TOKEN/i junk",
            "dataline /casino bonus code TOKEN[0-9]{2}/ warn",
            "body /TOKEN/ add-header \"X-Token: yes\"",
            "header Subject /TOKEN/i reject",
        ]
        return templates[index % templates.count].replacingOccurrences(of: "TOKEN", with: token)
    }
}

/// Random rules over a small alphabet, so that they match random subjects often: literals,
/// classes, anchors, alternations, repeats, and constructs Vectorscan refuses or widens
/// (back-references, look-arounds, atomic groups, possessive repeats), with random flags,
/// negation, header names and actions.
enum RandomRules {
    private static let atoms = [
        "a", "b", "c", "ab", "foo", "o", "[a-c]", "[^b]", "\\d", "\\w", "\\s", "\\b", ".", "\\.",
        "A", "é", "\\x0b", "[[:alpha:]]", "\\bfoo", "(a|bc)", "(?:o|fo)", "(?i)b", "\\S",
    ]
    private static let refused = ["(a)\\1", "a(?=b)", "(?!c)a", "(?<=a)b", "(?>ab)", "a++", "b(?<!a)", "\\Ka"]
    private static let quantifiers = ["", "", "", "?", "*", "+", "{1,3}", "{2}", "*?", "{0,2}"]
    private static let stages = ["helo", "mail", "rcpt", "connect", "dataline", "body", "header", "header Subject"]
    private static let actions = ["reject", "junk", "warn", "accept", "tempfail", "add-header \"X-Hit: yes\""]

    /// A regex of up to five atoms.
    static func regex(using generator: inout SeededGenerator) -> String {
        var text = Int.random(in: 0..<6, using: &generator) == 0 ? "^" : ""
        for _ in 0..<Int.random(in: 1...5, using: &generator) {
            if Int.random(in: 0..<8, using: &generator) == 0 {
                text += refused.randomElement(using: &generator)!
                continue
            }
            let atom = atoms.randomElement(using: &generator)!
            text += atom + (atom.hasPrefix("\\b") || atom.hasPrefix("(?i)") ? "" : quantifiers.randomElement(using: &generator)!)
        }
        if Int.random(in: 0..<5, using: &generator) == 0 { text += "|" + atoms.randomElement(using: &generator)! }
        if Int.random(in: 0..<6, using: &generator) == 0 { text += "$" }
        return text
    }

    /// A rules file of `ruleCount` random rules.
    static func file(ruleCount: Int, using generator: inout SeededGenerator) -> String {
        (0..<ruleCount).map { _ in
            let stage = stages.randomElement(using: &generator)!
            let negated = Int.random(in: 0..<7, using: &generator) == 0 ? "! " : ""
            var flags = ""
            for flag in ["i", "s", "m", "x"] where Int.random(in: 0..<4, using: &generator) == 0 { flags += flag }
            var source = regex(using: &generator)
            if flags.contains("x") { source = source.map { $0 == " " ? "\\ " : String($0) }.joined() + " " }
            return "\(stage) \(negated)/\(source.replacingOccurrences(of: "/", with: "\\/"))/\(flags) "
                + actions.randomElement(using: &generator)!
        }.joined(separator: "\n") + "\n"
    }

    /// A random subject over the rules' alphabet.
    static func subject(using generator: inout SeededGenerator) -> String {
        let alphabet = ["a", "b", "c", "o", "f", "A", "B", "1", " ", ".", "é", "\u{0B}", "\n", "_", "Subject: ", "foo"]
        return (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
    }
}

/// Random regexes rich in literals, for the literal stage: words and tokens, alternations,
/// optional parts, small classes, anchors, word boundaries, back references, escapes,
/// `\Q...\E`, inline options; and subjects built from their own pieces in random case, cut
/// and joined, so that many match and many almost match.
enum LiteralRules {
    private static let words = [
        "free", "zq00042x", "viagra", "X-Spam: ", "gift card", "wire", "a.b", "ref 7", "win", "lottery", "foo", "ab",
    ]
    private static let pieces = [
        "(?:yes|high)", "(?:very )?", "https?://", "[Aa]ct", "[13]", "\\s+", "\\w+", ".*", ".{0,3}", "\\b", "^", "$",
        "(\\w+) \\1", "(ab|cd)\\1", "\\.", "\\-", "\\Qa+b\\E", "(?i)", "(?i:Win)", "(?:ab)+", "x{2,3}", "[^a]", "\\d{2}",
        "(?=free)", "(?<!b)", "\\x41", "é", "|", "(?:foo|barbaz)", "o?",
    ]

    /// A regex of two to six pieces.
    static func regex(using generator: inout SeededGenerator) -> String {
        var text = ""
        var open = 0
        for _ in 0..<Int.random(in: 2...6, using: &generator) {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<4: text += words.randomElement(using: &generator)!.replacingOccurrences(of: ".", with: "\\.")
            case 4:
                text += "(?:"
                open += 1
            case 5 where open > 0:
                text += ")" + ["", "?", "+", "*", "{1,2}"].randomElement(using: &generator)!
                open -= 1
            default: text += pieces.randomElement(using: &generator)!
            }
        }
        return text + String(repeating: ")", count: open)
    }

    /// A subject made of the regex's literal runs and words, in random case, some cut.
    static func subject(from regex: String, using generator: inout SeededGenerator) -> String {
        let runs = DifferentialFixtures.literalRuns(of: regex) + words + ["a+b", "A", "ab ab", "cd cd", "12", " ", "x", "xx"]
        var text = ""
        for _ in 0..<Int.random(in: 1...5, using: &generator) {
            var piece = runs.randomElement(using: &generator)!
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: piece = piece.uppercased()
            case 1: piece = String(piece.dropLast())
            case 2: piece = piece.capitalized
            default: break
            }
            text += piece
        }
        return text
    }

    /// A rules file of `ruleCount` literal-rich rules over the stages, some caseless.
    static func file(ruleCount: Int, using generator: inout SeededGenerator) -> String {
        let stages = ["helo", "mail", "rcpt", "dataline", "body", "header"]
        return (0..<ruleCount).map { _ in
            let flags = ["", "", "i", "m", "im"].randomElement(using: &generator)!
            let source = regex(using: &generator).replacingOccurrences(of: "/", with: "\\/")
            return "\(stages.randomElement(using: &generator)!) /\(source)/\(flags) reject"
        }.joined(separator: "\n") + "\n"
    }
}
