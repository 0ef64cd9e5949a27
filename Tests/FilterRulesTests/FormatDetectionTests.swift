import ConfigurationFiles
import Foundation
import Testing
@testable import FilterRules

/// The format `text` is read in, whether or not it parses.
private func chosenFormat(_ text: String) -> RuleFileFormat {
    FormatChoice(PhysicalLines.split(text), file: "r.conf").format
}

/// The format of `text`, which must parse.
private func format(_ text: String) throws -> RuleFileFormat {
    try RuleSetLoader.parse(text: text, file: "r.conf").format
}

/// The end of the message for a rules-format line in a file read as filter-regex.
private func legacyFileTail(first line: Int, write rewrite: String) -> String {
    "but this file is read in the filter-regex format (its first rule, line \(line), has no /slashes/); "
        + "\(rewrite) on line \(line), or put '#format rules' at the top "
        + "(or '#format filter-regex', if this line is meant as a filter-regex rule)"
}

/// The message for a filter-regex line in a file read in the rules format because of `reason`.
private func rulesFileMessage(_ reason: String, write rewrite: String) -> String {
    "line reads as a filter-regex rule, but this file is read in the rules format (\(reason)); write '\(rewrite)', "
        + "or put '#format filter-regex' at the top if the whole file is in the filter-regex format"
}

@Suite("Format detection: the first rule line")
struct FirstRuleLineTests {
    @Test func rulesFormat() throws {
        #expect(try format("mail /x/ reject") == .rules)
        #expect(try format("connect ! /x/ reject") == .rules)
        #expect(try format("connect !/x/ reject") == .rules)
        #expect(try format("set fail-closed on\nmail /spam/ reject") == .rules)
        #expect(try format("addr 10.0.0.0/8 reject") == .rules)
        #expect(try format("") == .rules)
        #expect(try format("# only comments\n\n") == .rules)
    }

    @Test func legacyFormat() throws {
        #expect(try format("mail ^spammer@") == .legacyFilterRegex)
        #expect(try format("# filter-regex\n\n  connect ! \\.example\\.org$\n") == .legacyFilterRegex)
        #expect(try format("dataline viagra\nmail spam@") == .legacyFilterRegex)
        // A `/` after the keyword (and an optional `!`) means the rules format.
        #expect(diagnostics("rcpt ! /etc") == ["r.conf:1:8: unterminated regex, expected a closing '/'"])
    }

    @Test func legacyKeywordAloneIsLegacy() {
        #expect(chosenFormat("helo") == .legacyFilterRegex)
        #expect(diagnostics("helo") == ["r.conf:1:5: expected a regex after 'helo'"])
    }

    @Test func continuedFirstRuleIsTheRulesFormat() throws {
        // A first rule continued right after its stage keyword (`mail \` + `  /x/ reject`)
        // is the rules format: filter-regex files have no continuations.
        #expect(try format("mail \\\n  /x/ reject\n") == .rules)
    }

    @Test("a filter-regex keyword, a word and an action word after it is the rules format")
    func actionWordMeansRules() {
        #expect(chosenFormat("helo localhost reject") == .rules)
        #expect(chosenFormat("mail spam@ TempFail 451") == .rules)
        #expect(chosenFormat("dataline viagra disconnect") == .rules)
        #expect(chosenFormat("helo ! localhost accept") == .rules)
        // Only the word right after the pattern counts: a filter-regex regex may hold blanks.
        #expect(chosenFormat("dataline click here to accept") == .legacyFilterRegex)
        #expect(chosenFormat("mail a b reject") == .legacyFilterRegex)
    }

    @Test("an address block with a prefix length after a keyword is the rules format")
    func addressBlockMeansRules() {
        #expect(chosenFormat("connect 10.0.0.0/8") == .rules)
        #expect(chosenFormat("helo ! 2001:db8::/32") == .rules)
        // A single address is a fine filter-regex regex (hostnames are addresses without reverse DNS).
        #expect(chosenFormat("connect 192.0.2.7") == .legacyFilterRegex)
        #expect(chosenFormat("connect 10.0.0.0/99") == .legacyFilterRegex)
    }

    @Test("other first words are the rules format: upper-case keywords, rules-only stages, unknown words")
    func otherFirstWords() {
        #expect(chosenFormat("HELO localhost") == .rules)
        #expect(chosenFormat("header Subject") == .rules)
        #expect(chosenFormat("body viagra") == .rules)
        #expect(chosenFormat("helo_x y") == .rules)
    }

    @Test func crlfRulesFile() throws {
        // CRLF line ends: Swift reads "\r\n" as one Character, so lines must be split on
        // scalars for a CRLF file to be read as lines.
        let parsed = try rules("mail /x/ reject\r\nrcpt /y/ accept\r\n")
        #expect(parsed.count == 2)
        #expect(parsed.map(\.stage) == [.mail, .rcpt])
        #expect(chosenFormat("#format filter-regex\r\nmail /x/\r\n") == .legacyFilterRegex)
    }
}

@Suite("Format detection: rules-format lines in a file read as filter-regex")
struct RulesLinesInLegacyFileTests {
    @Test("the issue's example: forgotten slashes on the first rule, rules after it")
    func forgottenSlashesOnTheFirstRule() {
        let text = "# spam rules\n\nhelo localhost\nmail /@spam\\.example$/ reject 550 \"no\"\n"
        #expect(
            diagnostics(text) == [
                "r.conf:4:1: line reads as a rules-format rule, " + legacyFileTail(first: 3, write: "write /localhost/")
            ])
    }

    @Test("every line that reads as the rules format is reported, whatever shows it")
    func everyConflictingLine() {
        let text = """
            connect \\.dynamic\\.
            set fail-closed on
              header Subject /x/ reject
            rcpt ! /x/
            connect 10.0.0.0/8
            helo example.org reject
            MAIL /x/ reject
            mail ok@
            """
        #expect(
            diagnostics(text) == [
                "r.conf:2:1: line reads as a rules-format option, but this file is read in the filter-regex format, "
                    + "which has no options (its first rule, line 1, has no /slashes/); "
                    + "write /\\.dynamic\\./ on line 1, or put '#format rules' at the top",
                "r.conf:3:3: line reads as a rules-format rule, " + legacyFileTail(first: 1, write: "write /\\.dynamic\\./"),
                "r.conf:4:1: line reads as a rules-format rule, " + legacyFileTail(first: 1, write: "write /\\.dynamic\\./"),
                "r.conf:5:1: line reads as a rules-format rule, " + legacyFileTail(first: 1, write: "write /\\.dynamic\\./"),
                "r.conf:6:1: line reads as a rules-format rule, " + legacyFileTail(first: 1, write: "write /\\.dynamic\\./"),
                "r.conf:7:1: line reads as a rules-format rule, " + legacyFileTail(first: 1, write: "write /\\.dynamic\\./"),
            ])
    }

    @Test("a continued rules-format rule is one error: its continuation lines belong to it")
    func continuedRuleIsOneError() {
        #expect(
            diagnostics("mail spam@\nbody /x/ \\\n  reject \\\n  550\nrcpt ^abuse@\nrcptx y\n") == [
                "r.conf:2:1: line reads as a rules-format rule, " + legacyFileTail(first: 1, write: "write /spam@/"),
                "r.conf:6:1: unknown keyword 'rcptx', expected one of connect, helo, mail, rcpt, dataline (filter-regex format)",
            ])
    }

    @Test("the suggested regex of the first rule: up to a comment, slashes escaped; a bare keyword")
    func suggestionForTheFirstRule() {
        #expect(
            diagnostics("dataline see http://x.example/ now # why\nmail /y/ reject\n") == [
                "r.conf:2:1: line reads as a rules-format rule, "
                    + legacyFileTail(first: 1, write: "write /see http:\\/\\/x.example\\/ now/")
            ])
        #expect(
            diagnostics("helo\nmail /y/ reject\n") == [
                "r.conf:1:5: expected a regex after 'helo'",
                "r.conf:2:1: line reads as a rules-format rule, " + legacyFileTail(first: 1, write: "write a /regex/"),
            ])
    }

    @Test("lines that read as neither format keep the filter-regex errors")
    func neitherFormat() {
        #expect(
            diagnostics("mail ^a\nheader Subject\nbody\n") == [
                "r.conf:2:1: unknown keyword 'header', expected one of connect, helo, mail, rcpt, dataline (filter-regex format)",
                "r.conf:3:1: unknown keyword 'body', expected one of connect, helo, mail, rcpt, dataline (filter-regex format)",
            ])
    }
}

@Suite("Format detection: filter-regex lines in a file read in the rules format")
struct LegacyLinesInRulesFileTests {
    @Test("reported at the regex, rewritten in the rules format, with why the file is the rules format")
    func reasons() {
        #expect(
            diagnostics("header /x/ reject\nmail spam") == [
                "r.conf:2:6: " + rulesFileMessage("its first rule, line 1, has a /regex/", write: "mail /spam/ reject")
            ])
        #expect(
            diagnostics("# options\nset fail-closed on\n  helo   localhost\n") == [
                "r.conf:3:10: " + rulesFileMessage("line 2, before any rule, is a 'set' option", write: "helo /localhost/ reject")
            ])
        #expect(
            diagnostics("mail \\\n  /x/ reject\nrcpt ^root@\n") == [
                "r.conf:3:6: "
                    + rulesFileMessage(
                        "its first rule, line 1, is continued with a backslash",
                        write: "rcpt /^root@/ reject")
            ])
        #expect(
            diagnostics("addr 10.0.0.0/8 reject\nconnect \\.dynamic\\.\n") == [
                "r.conf:2:9: "
                    + rulesFileMessage(
                        "its first rule, line 1, has an address block",
                        write: "connect /\\.dynamic\\./ reject")
            ])
    }

    @Test("first rules that are wrong but read as the rules format: an action, an address block, an upper-case keyword")
    func reasonsFromBrokenFirstRules() {
        let first = diagnostics("helo localhost reject\nhelo example.org\n")
        #expect(first.count == 2)
        #expect(
            first.last == "r.conf:2:6: "
                + rulesFileMessage(
                    "its first rule, line 1, has an action",
                    write: "helo /example.org/ reject"))
        let upper = diagnostics("HELO localhost\nconnect \\.dynamic\\.\n")
        #expect(upper.count == 2)
        #expect(
            upper.last == "r.conf:2:9: "
                + rulesFileMessage(
                    "its first rule, line 1, does not begin with connect, helo, mail, rcpt or dataline in lower case",
                    write: "connect /\\.dynamic\\./ reject"))
        let second = diagnostics("connect 10.0.0.0/8\nhelo example.org\n")
        #expect(second.count == 2)
        #expect(
            second.last == "r.conf:2:6: "
                + rulesFileMessage(
                    "its first rule, line 1, has an address block",
                    write: "helo /example.org/ reject"))
    }

    @Test("an exception becomes accept, dataline disconnect; the regex runs to a comment, slashes escaped")
    func rewrites() {
        #expect(
            diagnostics("body /x/ reject\nhelo ! ^mx\\.example$\ndataline see http://spam # note\n") == [
                "r.conf:2:8: " + rulesFileMessage("its first rule, line 1, has a /regex/", write: "helo /^mx\\.example$/ accept"),
                "r.conf:3:10: "
                    + rulesFileMessage(
                        "its first rule, line 1, has a /regex/",
                        write: "dataline /see http:\\/\\/spam/ disconnect"),
            ])
    }

    @Test("a filter-regex regex that begins with a slash stays filter-regex; a whole /regex/ or an action makes it a rules line")
    func slashInLegacyRegex() throws {
        let file = try RuleSetLoader.parse(text: "helo localhost\ndataline /bin/sh\nmail /etc/passwd\n", file: "r.conf")
        #expect(file.format == .legacyFilterRegex)
        #expect(file.rules.map { regexSource($0) ?? "" } == ["localhost", "/bin/sh", "/etc/passwd"])
        #expect(diagnostics("helo localhost\ndataline /bin/sh/\n").count == 1)
        #expect(diagnostics("helo localhost\nmail /http://x/ reject\n").count == 1)
    }

    @Test("a keyword alone is not a filter-regex rule: the usual error")
    func keywordAlone() {
        #expect(diagnostics("body /x/ reject\nhelo\n") == ["r.conf:2:5: expected a /regex/"])
    }
}

@Suite("Format detection: #format lines")
struct FormatDirectiveTests {
    @Test("#format filter-regex reads lines that would read as the rules format as filter-regex rules")
    func forceFilterRegex() throws {
        let file = try RuleSetLoader.parse(
            text: "#format filter-regex\ndataline /bin/sh\nmail /x/ reject\nrcpt ! /y/\n",
            file: "r.conf")
        #expect(file.format == .legacyFilterRegex)
        #expect(file.rules.map { regexSource($0) ?? "" } == ["/bin/sh", "/x/ reject", "/y/"])
        #expect(file.rules.map(\.action) == [.disconnect, .reject, .accept(.input)])
        #expect(file.rules[0].location == SourceLocation(file: "r.conf", line: 2, column: 1))
    }

    @Test("#format rules reads a file whose first rule reads as filter-regex in the rules format")
    func forceRules() throws {
        #expect(
            diagnostics("#format rules\nhelo localhost\n") == [
                "r.conf:2:6: line reads as a filter-regex rule, but this file is read in the rules format "
                    + "(it says '#format rules' on line 1); write 'helo /localhost/ reject'"
            ])
        #expect(try format("# rules\n#format rules\nset fail-closed on\nmail /x/ reject\n") == .rules)
    }

    @Test("any case, blanks around the words; other comments are comments")
    func spelling() throws {
        #expect(chosenFormat("  #FORMAT \t Filter-Regex  \nmail /x/") == .legacyFilterRegex)
        #expect(chosenFormat("#format rules\r\nmail x") == .rules)
        #expect(chosenFormat("# format rules\nmail x") == .legacyFilterRegex)
        #expect(chosenFormat("#formatting: rules\nmail x") == .legacyFilterRegex)
        #expect(try format("#formatting notes\n# format: anything\nmail /x/ reject") == .rules)
    }

    @Test("a #format line naming no format, another format, or more")
    func badDirectives() {
        #expect(diagnostics("#format\nmail /x/ reject") == ["r.conf:1:8: expected a format after '#format': rules or filter-regex"])
        #expect(
            diagnostics("#format regex\nmail /x/ reject")
                == ["r.conf:1:9: unknown format 'regex', expected rules or filter-regex"])
        #expect(
            diagnostics("  #format rules please\nmail /x/ reject")
                == ["r.conf:1:17: unexpected 'please' after '#format rules', expected the end of the line"])
        // The format then comes from the first rule.
        #expect(chosenFormat("#format regex\nmail x") == .legacyFilterRegex)
    }

    @Test("a #format line after the first rule, or a second one")
    func misplacedDirectives() {
        #expect(
            diagnostics("mail /x/ reject\n\n  #format rules\n") == [
                "r.conf:3:3: '#format rules' after the first rule (line 1) has no effect, expected it before any rule; "
                    + "move it to the top of the file"
            ])
        #expect(
            diagnostics("#format rules\n#format filter-regex\nmail /x/ reject\n") == [
                "r.conf:2:1: '#format' again, expected it once; the format is already set on line 1, remove this line"
            ])
        #expect(chosenFormat("#format rules\n#format filter-regex\nmail x") == .rules)
    }
}

@Suite("Format detection: filter-regex files keep working")
struct LegacyFilesUnchangedTests {
    /// contrib/filter-regex.conf, the shipped sample.
    private func sample() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("contrib/filter-regex.conf"), encoding: .utf8)
    }

    @Test("contrib/filter-regex.conf reads as filter-regex, with or without #format filter-regex")
    func shippedSample() throws {
        let text = try sample()
        let detected = try RuleSetLoader.compile(text: text, file: "f.conf")
        #expect(detected.file.format == .legacyFilterRegex)
        #expect(detected.rules.map(\.rule.stage) == [.connect, .helo, .helo, .mail, .rcpt, .dataline])
        let forced = try RuleSetLoader.compile(text: "#format filter-regex\n" + text, file: "f.conf")
        #expect(forced.file.format == .legacyFilterRegex)
        #expect(forced.rules.map(\.rule.source) == detected.rules.map(\.rule.source))
        #expect(forced.rules.map(\.rule.reply) == detected.rules.map(\.rule.reply))
    }
}
