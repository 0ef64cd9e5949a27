import ConfigurationFiles
import PCRETable
import Testing

@Suite("Map file parser")
struct PCREMapParserTests {
    static func diagnostics(_ text: String) -> [String] {
        PCREMapParser.parse(text: text, file: "m.pcre").diagnostics.map(\.description)
    }

    /// The rules of `text`, which must have no errors.
    static func entries(_ text: String) throws -> [PCREMapEntry] {
        try PCREMap.compile(text: text, file: "m.pcre").entries
    }

    @Test("comments, blank lines, CRLF, blanks after the value; case-insensitive and dotall by default")
    func layout() throws {
        let text = "# comment\n\n   \t\n  # indented comment\r\n/^a$/\t  value one  \r\n/b/i x # not a comment\n"
        let entries = try Self.entries(text)
        try #require(entries.count == 2)
        #expect(entries[0].value.source == "value one")
        #expect(entries[0].regex.pattern == "^a$")
        #expect(entries[0].regex.flags == [.caseless, .dotAll])
        #expect(entries[0].location == SourceLocation(file: "m.pcre", line: 5, column: 1))
        #expect(entries[1].value.source == "x # not a comment")
        #expect(entries[1].regex.flags == .dotAll)
    }

    @Test("an escaped delimiter stays in the regex; each flag toggles")
    func escapes() throws {
        let entries = try Self.entries("/^a\\/b\\\\/ixsmu v\n/c/ii w\n/d/X v\n")
        #expect(entries.first?.regex.pattern == "^a\\/b\\\\")
        #expect(entries.first?.regex.flags == [.extended, .multiline, .utf])
        #expect(entries[1].regex.flags == [.caseless, .dotAll])
        #expect(entries[2].regex.flags == [.caseless, .dotAll])
    }

    @Test("any delimiter but a letter, digit or blank; ! negates (twice: not)")
    func delimitersAndNegation() throws {
        let entries = try Self.entries("~^a/b~ v\n|x\\|y| w\n!/z/ n\n! ! /q/ m\n")
        #expect(entries.map(\.regex.pattern) == ["^a/b", "x\\|y", "z", "q"])
        #expect(entries.map(\.negated) == [false, false, true, false])
    }

    @Test("continuation lines join the line above, comments between them skipped")
    func continuation() throws {
        let entries = try Self.entries("/^a$/\n one\n# note\n\ttwo\n/b/ x\n")
        #expect(entries.map(\.value.source) == ["one\ttwo", "x"])
        #expect(entries.map(\.location.line) == [1, 5])
    }

    @Test(
        "every error message, with its line and column",
        arguments: [
            ("word value", "m.pcre:1:1: expected a /regex/ at the start of the line, found 'word'"),
            ("  /a/ v", "m.pcre:1:1: a line starting with blanks continues the previous line, but there is none; remove the leading blanks"),
            ("/abc v", "m.pcre:1:1: unterminated regex, expected a closing '/'"),
            ("/a\\/ v", "m.pcre:1:1: unterminated regex, expected a closing '/'"),
            ("/a/iq v", "m.pcre:1:5: unknown flag 'q', expected one of i, m, s, x, u (each toggles; X is accepted and ignored)"),
            ("/a/A v", "m.pcre:1:4: flag 'A' (anchored) is not supported, start the pattern with \\A instead"),
            ("/a/E v", "m.pcre:1:4: flag 'E' (dollar at the end only) is not supported, end the pattern with \\z instead of $"),
            ("/a/U v", "m.pcre:1:4: flag 'U' (ungreedy) is not supported, start the pattern with (?U) instead"),
            ("/a/", "m.pcre:1:4: expected a value after the regex"),
            ("/a/i   ", "m.pcre:1:8: expected a value after the regex"),
            ("!", "m.pcre:1:2: expected a /regex/ after '!'"),
            ("!x/ v", "m.pcre:1:2: expected a /regex/, found 'x/'"),
            ("/ab[c/ v", "m.pcre:1:6: regex error: missing terminating ] for character class (PCRE2 at offset 4)"),
            ("/é(/ v", "m.pcre:1:4: regex error: missing closing parenthesis (PCRE2 at offset 3)"),
            ("/a/ x$", "m.pcre:1:6: bad '$' in the value, expected $N, ${N}, $(N) or $$"),
            ("/(a)(b)/ $1 ${3}", "m.pcre:1:13: the value refers to group 3, but the regex has 2 capture group(s)"),
            ("/(a)(b)/ $12", "m.pcre:1:10: the value refers to group 12, but the regex has 2 capture group(s)"),
            ("/a/ $1", "m.pcre:1:5: the value refers to group 1, but the regex has 0 capture group(s)"),
            ("!/(a)/ x$(1)", "m.pcre:1:9: the value of a negated pattern (!/regex/) cannot refer to groups: nothing matched"),
            ("endif", "m.pcre:1:1: endif without a matching if"),
            ("if /a/", "m.pcre:1:1: if without a matching endif"),
            (
                "if /a/ /b/ x\nendif",
                "m.pcre:1:8: unexpected text after if /regex/; an indented line continues the line above, so do not indent rules inside if ... endif"
            ),
            (
                "if /a/\n  /b/ x\nendif",
                "m.pcre:2:3: unexpected text after if /regex/; an indented line continues the line above, so do not indent rules inside if ... endif"
            ),
            (
                "if /a/\nendif x",
                "m.pcre:2:7: unexpected text after endif; an indented line continues the line above, so do not indent rules inside if ... endif"
            ),
            ("if a\nendif", "m.pcre:1:4: expected a /regex/, found 'a'"),
        ])
    func errors(_ line: String, _ message: String) {
        #expect(Self.diagnostics(line) == [message])
    }

    @Test("all errors of a line and of the file are reported, in order")
    func allErrors() {
        #expect(
            Self.diagnostics("/a(/q\n/ok/ fine\nbad\n/(x)/ $2") == [
                "m.pcre:1:4: regex error: missing closing parenthesis (PCRE2 at offset 2)",
                "m.pcre:1:5: unknown flag 'q', expected one of i, m, s, x, u (each toggles; X is accepted and ignored)",
                "m.pcre:1:6: expected a value after the regex",
                "m.pcre:3:1: expected a /regex/ at the start of the line, found 'bad'",
                "m.pcre:4:7: the value refers to group 2, but the regex has 1 capture group(s)",
            ])
    }

    @Test("files that cannot be used")
    func unreadable() {
        #expect(throws: MapFileError.self) { try PCREMap.load(path: "/nonexistent/m.pcre") }
        do {
            _ = try PCREMap.load(path: "/nonexistent/m.pcre")
        } catch {
            #expect(error.diagnostics.count == 1)
            #expect(error.description.hasPrefix("/nonexistent/m.pcre: cannot read the file: "))
        }
    }
}
