import Testing
@testable import FilterRules
@testable import PCRE2Matching

@Suite("Regex flags")
struct RegexFlagsTests {
    @Test func parsesKnownLetters() throws {
        let flags = try RegexFlags.parse("ixsmu").get()
        #expect(flags == [.caseless, .extended, .dotAll, .multiline, .utf])
        #expect(try RegexFlags.parse("").get() == [])
        #expect(try RegexFlags.parse("ii").get() == .caseless)
    }

    @Test func canonicalLetters() throws {
        #expect(try RegexFlags.parse("umsxi").get().letters == "ixsmu")
        #expect(RegexFlags([.utf, .caseless]).letters == "iu")
        #expect(RegexFlags().letters == "")
    }

    @Test func rejectsUnknownLetterWithOffset() {
        let result = RegexFlags.parse("iuq")
        #expect(result == .failure(RegexFlagError(offset: 2, letter: "q")))
        guard case .failure(let error) = result else { return }
        #expect(error.offset == 2)
        #expect(error.letter == "q")
        #expect(error.message == "unknown flag 'q', expected one of i, x, s, m, u")
    }
}

@Suite("PCRE2 regular expressions")
struct PCRE2RegexTests {
    let scratch = MatchScratch()

    func regex(_ pattern: String, _ flags: String = "") throws -> PCRE2Regex {
        try PCRE2Regex(pattern: pattern, flags: RegexFlags.parse(Substring(flags)).get())
    }

    @Test func jitIsAvailable() throws {
        let compiled = try regex("abc")
        #expect(compiled.isJITCompiled)
        #expect(compiled.pattern == "abc")
        #expect(compiled.flags == [])
    }

    @Test func caseless() throws {
        #expect(try regex("hello").matches("HeLLo", scratch: scratch) == .noMatch)
        #expect(try regex("hello", "i").matches("HeLLo", scratch: scratch) == .match)
    }

    @Test func extended() throws {
        #expect(try regex("a b # comment").matches("ab", scratch: scratch) == .noMatch)
        #expect(try regex("a b # comment", "x").matches("ab", scratch: scratch) == .match)
    }

    @Test func dotAll() throws {
        #expect(try regex("a.b").matches("a\nb", scratch: scratch) == .noMatch)
        #expect(try regex("a.b", "s").matches("a\nb", scratch: scratch) == .match)
    }

    @Test func multiline() throws {
        #expect(try regex("^two$").matches("one\ntwo\nthree", scratch: scratch) == .noMatch)
        #expect(try regex("^two$", "m").matches("one\ntwo\nthree", scratch: scratch) == .match)
    }

    @Test func utf() throws {
        #expect(try regex("^.$").matches("é", scratch: scratch) == .noMatch)
        #expect(try regex("^.$", "u").matches("é", scratch: scratch) == .match)
    }

    @Test func emptySubject() throws {
        #expect(try regex("^$").matches("", scratch: scratch) == .match)
        #expect(try regex("^$").matches([UInt8](), scratch: scratch) == .match)
        #expect(try regex("x").matches(UnsafeRawBufferPointer(start: nil, count: 0), scratch: scratch) == .noMatch)
        #expect(try regex("").matches("", scratch: scratch) == .match)
    }

    @Test func compileErrorMissingParenthesis() {
        #expect {
            try PCRE2Regex(pattern: "a(b", flags: [])
        } throws: { error in
            guard let error = error as? RegexCompileError else { return false }
            return error.message.contains("missing closing parenthesis") && error.offset == 3
        }
    }

    @Test func compileErrorUnmatchedParenthesis() {
        do {
            _ = try PCRE2Regex(pattern: "a)", flags: [])
            Issue.record("expected a compile error")
        } catch {
            #expect(error.offset == 1)
            #expect(error.message.contains("parenthesis"))
        }
    }

    @Test func compileErrorOffsetIsInBytes() {
        do {
            _ = try PCRE2Regex(pattern: "éé(", flags: .utf)
            Issue.record("expected a compile error")
        } catch {
            #expect(error.offset == 5)
        }
    }

    @Test func bytesWithNul() throws {
        let subject: [UInt8] = [0x61, 0x00, 0x62]
        #expect(try regex("a\\x00b").matches(subject, scratch: scratch) == .match)
        #expect(try regex("b$").matches(subject, scratch: scratch) == .match)
        #expect(try regex("a\\x00b", "u").matches(subject, scratch: scratch) == .match)
        #expect(try regex("^a$").matches(subject, scratch: scratch) == .noMatch)
    }

    @Test func invalidUTF8WithoutUtf() throws {
        let subject: [UInt8] = [0x61, 0xff, 0x62]
        #expect(try regex("a.b").matches(subject, scratch: scratch) == .match)
        #expect(try regex("\\xff").matches(subject, scratch: scratch) == .match)
    }

    @Test func invalidUTF8WithUtfNeverErrors() throws {
        let subject: [UInt8] = [0x61, 0xff, 0x62]
        // An invalid byte is never a character, so `.` cannot cross it, but valid parts still match.
        #expect(try regex("a.b", "u").matches(subject, scratch: scratch) == .noMatch)
        #expect(try regex("b$", "u").matches(subject, scratch: scratch) == .match)
        #expect(try regex("^a", "u").matches(subject, scratch: scratch) == .match)
    }

    @Test func catastrophicBacktrackingHitsLimit() throws {
        let subject = String(repeating: "a", count: 40) + "!"
        let result = try regex("(a+)+$").matches(subject, scratch: scratch)
        guard case .limitExceeded(let reason) = result else {
            Issue.record("expected limitExceeded, got \(result)")
            return
        }
        #expect(reason.contains("limit exceeded"))
    }

    @Test func scratchKeepsLimits() {
        let limits = MatchLimits(matchLimit: 5, depthLimit: 7)
        #expect(MatchScratch(limits: limits).limits == limits)
        #expect(MatchScratch().limits == .default)
        #expect(MatchLimits.default == MatchLimits(matchLimit: 100_000, depthLimit: 10_000))
    }

    @Test func scratchLimitsAreApplied() throws {
        let subject = String(repeating: "a", count: 18) + "!"
        let pattern = try regex("(a+)+$")
        guard case .limitExceeded = pattern.matches(subject, scratch: scratch) else {
            Issue.record("expected the default limits to stop the match")
            return
        }
        let generous = MatchScratch(limits: MatchLimits(matchLimit: 100_000_000, depthLimit: 100_000))
        #expect(pattern.matches(subject, scratch: generous) == .noMatch)
    }
}
