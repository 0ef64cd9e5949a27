import Testing
@testable import FilterRules
@testable import PCRE2Matching
import SMTPDTestDouble

/// The literal analysis must never claim a literal a match can do without: checked on
/// chosen regexes (what it finds, and where it must find nothing) and, as a property, on
/// thousands of generated regexes against PCRE2 itself: every subject PCRE2 matches
/// contains one of the literals.
@Suite("Required literals: what every match of a regex contains")
struct RequiredLiteralsTests {
    private func literals(_ source: String, _ flags: RegexFlags = []) -> [String]? {
        RequiredLiterals.of(source, flags: flags).map { $0.alternatives.map { String(decoding: $0, as: UTF8.self) }.sorted() }
    }

    @Test("the longest required run of a spam rule, case-folded when the rule is caseless")
    func spamShapes() {
        #expect(literals(#"\bfree\s+zq00042x\b"#, .caseless) == ["zq00042x"])
        #expect(RequiredLiterals.of(#"\bfree\s+zq00042x\b"#, flags: .caseless)?.isCaseless == true)
        #expect(literals(#"^X-Spam-Flag: (?:yes|high)$"#, .multiline) == ["X-Spam-Flag: "])
        #expect(literals(#"https?:\/\/[a-z0-9.-]+\.zq00001xx\.(?:ru|cn)"#, .caseless) == [".zq00001xx."])
        #expect(literals(#"https?://x"#) == ["http://x", "https://x"])
        #expect(literals(#"buy cheap (?:viagra|cialis) online"#, .caseless) == ["buy cheap "])
        #expect(literals(#"Subject: .*urgent wire transfer zq9"#) == ["urgent wire transfer zq9"])
    }

    @Test("alternations, optional parts, classes and repeats")
    func structures() {
        #expect(literals("foo|bar") == ["bar", "foo"])
        #expect(literals("(?:very )?cheap") == ["cheap"])
        #expect(literals("[Aa]ct now") == ["Act now", "act now"])
        #expect(literals("wallet [13]x") == ["wallet 1x", "wallet 3x"])
        #expect(literals("(?:ab)+cde") == ["abcde"])
        #expect(literals("x(?:abc){2,}") == ["xabc"])
        #expect(literals("ab(?=cd)ef") == ["abef"])
        #expect(literals(#"(\w+) \1 zq42"#) == [" zq42"])
        #expect(literals(#"\Qa.b*c\E"#) == ["a.b*c"])
        #expect(literals(#"a\.b\-c"#) == ["a.b-c"])
        #expect(literals(#"tab\there"#) == ["tab\there"])
    }

    @Test("inline caseless options anywhere make every literal caseless")
    func inlineCaseless() {
        for source in ["(?i)Viagra", "(?mi)Viagra", "(?i:V)iagra", "Via(?-s:i)(?si)gra", "(?^i)Viagra"] {
            let found = RequiredLiterals.of(source, flags: [])
            #expect(found?.isCaseless == true, "\(source)")
        }
        #expect(literals("(?i)Viagra") == ["viagra"])
    }

    @Test("nothing where the analysis cannot vouch for a literal")
    func nothingClaimed() {
        #expect(literals("a.b") == nil)
        #expect(literals("foo|b") == nil)
        #expect(literals("(?:foo)?") == nil)
        #expect(literals("fo{2}") == nil)  // `o{2}` is a repeat: only "f" and "o" are known
        #expect(literals("free  money", .extended) == nil)
        #expect(literals("Kelvin", [.utf, .caseless]) == nil)
        #expect(literals("ab{,3}cdef") == nil)  // PCRE2 10.43+ reads {,3} as a quantifier
        #expect(literals("ab{ 2}cdef") == nil)
        #expect(literals("(?(1)abc|def)") == nil)
        #expect(literals("(*UTF)abc") == nil)
        #expect(literals(#"\x41BCD"#) == ["BCD"])
        #expect(literals(#"abc\Edef"#).map { $0 == ["abc"] || $0 == ["def"] } == true)  // \E alone is ignored by PCRE2
        #expect(literals("café!") == ["caf"])
    }

    @Test("the plan passes over a literal many rules share for one they do not")
    func leastShared() throws {
        let text = (0..<50).map { "rcpt /^(?:user\($0)|role\($0)-[a-z]+)@example\\.(?:org|net)$/i reject" }.joined(separator: "\n")
        let set = try RuleSetLoader.compile(text: text, file: "shared.rules")
        let matcher = try #require(set.matcher(for: .rcpt))
        #expect(literals(#"^(?:user7|role7-[a-z]+)@example\.(?:org|net)$"#, .caseless) == ["@example."])
        let plan = PrefilterPlan(rules: matcher.rules)
        #expect(plan.literalRuleCount == 50)
        let chosen = Set(plan.literals.filter { $0.id == 7 }.map { String(decoding: $0.bytes, as: UTF8.self) })
        #expect(chosen == ["user7", "role7-"], "\(chosen)")
    }

    @Test("required bytes of regexes without literals")
    func requiredBytes() {
        func bytes(_ source: String, _ flags: RegexFlags = []) -> String? {
            RequiredLiterals.requiredBytes(of: source, flags: flags).map { String(decoding: $0.elements, as: UTF8.self) }
        }
        #expect(bytes("^[0-9]{5}-[a-z]{3}$") == "-")
        #expect(bytes("[0-9]{3}") == "0123456789")
        #expect(bytes("x", .caseless) == "Xx")
        #expect(bytes("(?:ab|cd)") == "ac")
        #expect(bytes(#"\d{3}"#) == nil)
        #expect(bytes("x?y*") == nil)
        #expect(bytes(".*") == nil)
        #expect(bytes("[^a]") == nil)  // 255 bytes tell nothing
        #expect(bytes("(?=ab)c") == "c")
        #expect(bytes(#"\x41"#) == nil)
    }

    @Test("generated regexes: every subject PCRE2 matches contains a literal, or a required byte", arguments: 0..<8)
    func property(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed) &* 0x2545_f491 &+ 3)
        let scratch = MatchScratch(limits: MatchLimits(matchLimit: 1_000_000, depthLimit: 10_000))
        var withLiterals = 0
        var matched = 0
        var matchedWithBytes = 0
        for _ in 0..<400 {
            let source = LiteralRules.regex(using: &generator)
            var flags: RegexFlags = []
            if Int.random(in: 0..<3, using: &generator) == 0 { flags.insert(.caseless) }
            if Int.random(in: 0..<5, using: &generator) == 0 { flags.insert(.multiline) }
            if Int.random(in: 0..<8, using: &generator) == 0 { flags.insert(.utf) }
            guard let regex = try? PCRE2Regex(pattern: source, flags: flags) else { continue }
            if RequiredLiterals.of(source, flags: flags) == nil, let bytes = RequiredLiterals.requiredBytes(of: source, flags: flags) {
                for _ in 0..<60 {
                    let subject = LiteralRules.subject(from: source, using: &generator)
                    guard regex.matches(subject, scratch: scratch) == .match else { continue }
                    matchedWithBytes += 1
                    #expect(subject.utf8.contains { bytes.contains($0) }, "\(source) /\(flags)/ matched \(subject.debugDescription)")
                }
            }
            guard let required = RequiredLiterals.of(source, flags: flags) else { continue }
            withLiterals += 1
            for _ in 0..<60 {
                let subject = LiteralRules.subject(from: source, using: &generator)
                guard regex.matches(subject, scratch: scratch) == .match else { continue }
                matched += 1
                let haystack = subject.utf8.map { required.isCaseless && (65...90).contains($0) ? $0 + 32 : $0 }
                let found = required.alternatives.contains { literal in haystack.containsBytes(literal) }
                #expect(found, "\(source) /\(flags)/ matched \(subject.debugDescription) without \(required.alternatives)")
                if !found { return }
            }
        }
        #expect(withLiterals > 100)
        #expect(matched > 200)
        #expect(matchedWithBytes > 20)
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in the array.
    fileprivate func containsBytes(_ needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
