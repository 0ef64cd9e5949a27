import FilterRules
import PCRETable
import Testing

@Suite("Map file parser")
struct PCREMapParserTests {
    static func diagnostics(_ text: String) -> [String] {
        PCREMapParser.parse(text: text, file: "m.pcre").diagnostics.map(\.description)
    }

    @Test("comments, blank lines, CRLF and surrounding blanks")
    func layout() throws {
        let text = "# comment\n\n   \t\n  # indented comment\r\n\t/^a$/i\t  value one  \r\n/b/ x # not a comment\n"
        let (entries, diagnostics) = PCREMapParser.parse(text: text, file: "m.pcre")
        #expect(diagnostics.isEmpty)
        try #require(entries.count == 2)
        #expect(entries[0].value.source == "value one")
        #expect(entries[0].regex.pattern == "^a$")
        #expect(entries[0].regex.flags == .caseless)
        #expect(entries[0].location == SourceLocation(file: "m.pcre", line: 5, column: 1))
        #expect(entries[1].value.source == "x # not a comment")
    }

    @Test("an escaped slash stays in the regex; flags are the rules' flags")
    func escapes() throws {
        let (entries, diagnostics) = PCREMapParser.parse(text: "/^a\\/b\\\\/ixsmu v\n", file: "m.pcre")
        #expect(diagnostics.isEmpty)
        #expect(entries.first?.regex.pattern == "^a\\/b\\\\")
        #expect(entries.first?.regex.flags == [.caseless, .extended, .dotAll, .multiline, .utf])
    }

    @Test("every error message, with its line and column", arguments: [
        ("word value", "m.pcre:1:1: expected a /regex/ at the start of the line, found 'word'"),
        ("  x/a/ v", "m.pcre:1:3: expected a /regex/ at the start of the line, found 'x/a/'"),
        ("   /abc v", "m.pcre:1:4: unterminated regex, expected a closing '/'"),
        ("/a\\/ v", "m.pcre:1:1: unterminated regex, expected a closing '/'"),
        ("/a/iq v", "m.pcre:1:5: unknown flag 'q', expected one of i, x, s, m, u"),
        ("/a/", "m.pcre:1:4: expected a value after the regex"),
        ("/a/i   ", "m.pcre:1:8: expected a value after the regex"),
        ("/ab[c/ v", "m.pcre:1:6: regex error: missing terminating ] for character class (PCRE2 at offset 4)"),
        ("/é(/ v", "m.pcre:1:4: regex error: missing closing parenthesis (PCRE2 at offset 3)"),
        ("/a/ x$", "m.pcre:1:6: bad '$' in the value, expected $1 to $9, ${N} or $$"),
        ("/(a)(b)/ $1 ${3}", "m.pcre:1:13: the value refers to group 3, but the regex has 2 capture group(s)"),
        ("/a/ $1", "m.pcre:1:5: the value refers to group 1, but the regex has 0 capture group(s)"),
    ])
    func errors(_ line: String, _ message: String) {
        #expect(Self.diagnostics(line) == [message])
    }

    @Test("all errors of a line and of the file are reported, in order")
    func allErrors() {
        #expect(Self.diagnostics("/a(/q\n/ok/ fine\nbad\n/(x)/ $2") == [
            "m.pcre:1:4: regex error: missing closing parenthesis (PCRE2 at offset 2)",
            "m.pcre:1:5: unknown flag 'q', expected one of i, x, s, m, u",
            "m.pcre:1:6: expected a value after the regex",
            "m.pcre:3:1: expected a /regex/ at the start of the line, found 'bad'",
            "m.pcre:4:7: the value refers to group 2, but the regex has 1 capture group(s)",
        ])
    }

    @Test("files that cannot be used")
    func unreadable() {
        #expect(throws: RulesFileError.self) { try PCREMap.load(path: "/nonexistent/m.pcre") }
        do {
            _ = try PCREMap.load(path: "/nonexistent/m.pcre")
        } catch {
            #expect(error.diagnostics.count == 1)
            #expect(error.description.hasPrefix("/nonexistent/m.pcre: cannot read the file: "))
        }
    }
}
