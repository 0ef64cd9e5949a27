import ConfigurationFiles
import Foundation
import Testing
@testable import FilterRules
@testable import PCRE2Matching

@Suite("Rules parser: tokenizer diagnostics")
struct TokenizerDiagnosticTests {
    @Test func unterminatedRegex() {
        #expect(diagnostic("body /abc reject") == "r.conf:1:6: unterminated regex, expected a closing '/'")
        // An escaped delimiter does not close the regex.
        #expect(diagnostic(#"body /a\/"#) == "r.conf:1:6: unterminated regex, expected a closing '/'")
        #expect(diagnostic("  dataline /x") == "r.conf:1:12: unterminated regex, expected a closing '/'")
    }

    @Test func unterminatedText() {
        #expect(diagnostic(#"body /x/ reject "oops"#) == #"r.conf:1:17: unterminated text, expected a closing '"'"#)
        #expect(diagnostic(#"body /x/ reject "a\""#) == #"r.conf:1:17: unterminated text, expected a closing '"'"#)
    }

    @Test func controlCharacterInText() {
        #expect(diagnostic("body /x/ reject \"a\tb\"") == "r.conf:1:19: control character in reply text")
        #expect(diagnostic("body /x/ reject \"\u{7f}\"") == "r.conf:1:18: control character in reply text")
    }
}

@Suite("Rules parser: rule diagnostics")
struct RuleDiagnosticTests {
    @Test func lineNotStartingWithAWord() {
        #expect(diagnostic("/x/ reject") == "r.conf:1:1: expected a stage, 'set', 'dnslist', 'limit' or 'dynlist', found /x/")
        #expect(diagnostic("  \"hello\" reject") == #"r.conf:1:3: expected a stage, 'set', 'dnslist', 'limit' or 'dynlist', found "hello""#)
    }

    @Test func unknownStage() {
        #expect(
            diagnostic("mailfrom /x/ reject")
                == "r.conf:1:1: unknown stage 'mailfrom', expected one of \(stageList)")
        #expect(
            diagnostic("\tSubject /x/ reject")
                == "r.conf:1:2: unknown stage 'Subject', expected one of \(stageList)")
    }

    @Test func badHeaderName() {
        #expect(
            diagnostic("header Sub_ject /x/ reject")
                == "r.conf:1:8: bad header name 'Sub_ject', expected letters, digits and '-' (or a /regex/)")
        #expect(
            diagnostic("header : /x/ reject")
                == "r.conf:1:8: bad header name ':', expected letters, digits and '-' (or a /regex/)")
        #expect(
            diagnostic("header ! X.Y /x/ reject")
                == "r.conf:1:10: bad header name 'X.Y', expected letters, digits and '-' (or a /regex/)")
    }

    @Test func missingPattern() {
        #expect(diagnostic("addr") == "r.conf:1:5: expected a /regex/ or an address block")
        #expect(diagnostic("addr !") == "r.conf:1:7: expected a /regex/ or an address block")
        #expect(diagnostic("header") == "r.conf:1:7: expected a /regex/")
        #expect(diagnostic("header Subject") == "r.conf:1:15: expected a /regex/")
        #expect(diagnostic("body   ") == "r.conf:1:8: expected a /regex/")
    }

    @Test func patternIsNotARegex() {
        #expect(
            diagnostic("body viagra reject")
                == "r.conf:1:6: expected a /regex/, found viagra; write it between slashes: /viagra/")
        #expect(diagnostic(#"body "x" reject"#) == #"r.conf:1:6: expected a /regex/, found "x"; write it between slashes: /x/"#)
        #expect(diagnostic("body !! /x/ reject") == "r.conf:1:6: expected a /regex/, found !!")
        #expect(
            diagnostic("addr example.org reject")
                == "r.conf:1:6: expected a /regex/ or an address block, found example.org")
        // A malformed prefix does not look like an address block at all.
        #expect(
            diagnostic("addr 192.0.2.0/abc reject")
                == "r.conf:1:6: expected a /regex/ or an address block, found 192.0.2.0/abc")
        // CIDR blocks are only for addr rules.
        #expect(
            diagnostic("body 192.0.2.0/24 reject") == "r.conf:1:6: expected a /regex/, found 192.0.2.0/24; "
                + "address blocks work only in addr rules: write 'addr 192.0.2.0/24 reject'")
    }

    @Test func patternAfterHeaderName() {
        #expect(
            diagnostic("header Subject reject")
                == "r.conf:1:16: expected a /regex/ after the header name, found reject; write the /regex/ before the action")
        #expect(
            diagnostic("header ! Subject ! /x/ reject")
                == "r.conf:1:18: expected a /regex/ after the header name, found !")
    }

    @Test func unknownFlag() {
        #expect(diagnostic("body /x/iq reject") == "r.conf:1:10: unknown flag 'q', \(flagList)")
        #expect(diagnostic("header Subject /x/I reject") == "r.conf:1:19: unknown flag 'I', \(flagList)")
        // A `#` right after the flags is a flag letter, not a comment.
        #expect(diagnostic("body /x/i# reject") == "r.conf:1:10: unknown flag '#', \(flagList)")
    }

    @Test func badAddressBlock() {
        #expect(diagnostic("addr 192.0.2.0/33 reject") == "r.conf:1:6: prefix length 33 out of range 0-32")
        #expect(diagnostic("addr ! 2001:db8::/129 reject") == "r.conf:1:8: prefix length 129 out of range 0-128")
        #expect(diagnostic("addr 192.0.2/24 reject") == "r.conf:1:6: not an IP address: '192.0.2'")
        #expect(diagnostic("addr dead:beef reject") == "r.conf:1:6: not an IP address: 'dead:beef'")
        #expect(diagnostic("addr 1.2.3.4.5 reject") == "r.conf:1:6: not an IP address: '1.2.3.4.5'")
    }

    @Test func missingAction() {
        #expect(diagnostic("body /x/") == "r.conf:1:9: expected an action: \(actionList)")
        #expect(diagnostic("addr 192.0.2.0/24   ") == "r.conf:1:21: expected an action: \(actionList)")
    }

    @Test func unknownAction() {
        #expect(diagnostic("body /x/ refuse") == "r.conf:1:10: unknown action 'refuse', expected \(actionList)")
        #expect(diagnostic(#"body /x/ "text""#) == #"r.conf:1:10: unknown action '"text"', expected "# + actionList)
        #expect(diagnostic("body /x/ /y/ reject") == "r.conf:1:10: unknown action '/y/', expected \(actionList)")
    }

    @Test func acceptTransactionOutsideATransaction() {
        let tail = "no transaction is under way (use 'accept session')"
        #expect(
            diagnostic("connect /x/ accept transaction")
                == "r.conf:1:20: 'accept transaction' is not possible at connect: \(tail)")
        #expect(
            diagnostic("addr 10.0.0.0/8 accept transaction")
                == "r.conf:1:24: 'accept transaction' is not possible at addr: \(tail)")
        #expect(
            diagnostic("helo /x/ ACCEPT Transaction")
                == "r.conf:1:17: 'accept transaction' is not possible at helo: \(tail)")
    }

    @Test func codeOutOfRange() {
        #expect(diagnostic("body /x/ reject 450") == "r.conf:1:17: code 450 does not fit reject, expected 500-599")
        #expect(diagnostic("body /x/ reject 5500") == "r.conf:1:17: code 5500 does not fit reject, expected 500-599")
        #expect(diagnostic("body /x/ tempfail 550") == "r.conf:1:19: code 550 does not fit tempfail, expected 400-499")
        #expect(
            diagnostic("body /x/ disconnect 250")
                == "r.conf:1:21: code 250 does not fit disconnect, expected 400-599")
    }

    @Test func acceptTakesNoReply() {
        #expect(diagnostic("body /x/ accept 250") == "r.conf:1:17: accept takes no code")
        #expect(diagnostic("body /x/ accept session 250") == "r.conf:1:25: accept takes no code")
        #expect(diagnostic(#"body /x/ accept "ok""#) == "r.conf:1:17: accept takes no reply text")
        #expect(diagnostic(#"rcpt /x/ accept transaction "ok""#) == "r.conf:1:29: accept takes no reply text")
    }

    @Test func unexpectedTrailingWords() {
        #expect(
            diagnostic("body /x/ accept always")
                == "r.conf:1:17: unexpected always, expected 'session', 'transaction' or the end of the rule")
        #expect(
            diagnostic("body /x/ accept session now")
                == "r.conf:1:25: unexpected now, expected the end of the rule")
        #expect(
            diagnostic("body /x/ reject session")
                == #"r.conf:1:17: unexpected session, expected a code, a "text" or the end of the rule"#)
        #expect(
            diagnostic(#"body /x/ reject 550 "t" more"#)
                == #"r.conf:1:25: unexpected more, expected a code, a "text" or the end of the rule"#)
        #expect(
            diagnostic(#"body /x/ reject "t" 550"#)
                == #"r.conf:1:21: unexpected 550, expected a code, a "text" or the end of the rule"#)
        #expect(
            diagnostic(#"body /x/ tempfail 451 "a" "b""#)
                == #"r.conf:1:27: unexpected "b", expected a code, a "text" or the end of the rule"#)
    }
}

@Suite("Rules parser: option diagnostics")
struct OptionDiagnosticTests {
    @Test func missingOptionName() {
        #expect(diagnostic("set") == "r.conf:1:4: expected an option name: \(optionList)")
        #expect(diagnostic(#"set "scan-limit" 1"#) == "r.conf:1:5: expected an option name: \(optionList)")
    }

    @Test func missingValue() {
        #expect(diagnostic("set fail-closed") == "r.conf:1:16: expected a value for fail-closed")
        #expect(diagnostic(#"SET Scan-Limit "1k""#) == "r.conf:1:16: expected a value for scan-limit")
    }

    @Test func extraWords() {
        #expect(diagnostic("set match-limit 10 20") == "r.conf:1:20: unexpected 20 after the value of match-limit")
        #expect(diagnostic(#"set fail-closed on "x""#) == #"r.conf:1:20: unexpected "x" after the value of fail-closed"#)
    }

    @Test func badFailClosed() {
        #expect(
            diagnostic("set fail-closed maybe")
                == "r.conf:1:17: bad value 'maybe' for fail-closed, expected on or off")
        #expect(diagnostic("set fail-closed 1") == "r.conf:1:17: bad value '1' for fail-closed, expected on or off")
    }

    @Test func badScanLimit() {
        let tail = "for scan-limit, expected a number of bytes with optional k or m"
        #expect(diagnostic("set scan-limit 10g") == "r.conf:1:16: bad size '10g' \(tail)")
        #expect(diagnostic("set scan-limit k") == "r.conf:1:16: bad size 'k' \(tail)")
        #expect(diagnostic("set scan-limit -5") == "r.conf:1:16: bad size '-5' \(tail)")
        #expect(diagnostic("set scan-limit 1.5m") == "r.conf:1:16: bad size '1.5m' \(tail)")
        #expect(diagnostic("set scan-limit 4294967296") == "r.conf:1:16: bad size '4294967296' \(tail)")
    }

    @Test func badMatchAndDepthLimits() {
        #expect(
            diagnostic("set match-limit 0")
                == "r.conf:1:17: bad value '0' for match-limit, expected a number from 1 to 4294967295")
        #expect(
            diagnostic("set match-limit 4294967296")
                == "r.conf:1:17: bad value '4294967296' for match-limit, expected a number from 1 to 4294967295")
        #expect(
            diagnostic("set depth-limit lots")
                == "r.conf:1:17: bad value 'lots' for depth-limit, expected a number from 1 to 4294967295")
        #expect(
            diagnostic("set Depth-Limit -1")
                == "r.conf:1:17: bad value '-1' for depth-limit, expected a number from 1 to 4294967295")
    }

    @Test func unknownOption() {
        #expect(diagnostic("set max-size 10") == "r.conf:1:5: unknown option 'max-size', expected one of \(optionList)")
        #expect(diagnostic("set Max-Size 10") == "r.conf:1:5: unknown option 'Max-Size', expected one of \(optionList)")
    }
}

@Suite("Rules parser: regex compile diagnostics")
struct RegexCompileDiagnosticTests {
    @Test func pcre2MessageAndOffset() {
        #expect(
            diagnostic("body /a(b/ reject")
                == "r.conf:1:10: regex error: missing closing parenthesis (PCRE2 at offset 3)")
        #expect(
            diagnostic("body /*a/ reject")
                == "r.conf:1:7: regex error: quantifier does not follow a repeatable item (PCRE2 at offset 0)")
        #expect(
            diagnostic("header Subject /[a/i reject")
                == "r.conf:1:19: regex error: missing terminating ] for character class (PCRE2 at offset 2)")
        #expect(
            diagnostic("addr ! /x{2,1}/ reject")
                == "r.conf:1:14: regex error: numbers out of order in {} quantifier (PCRE2 at offset 5)")
    }

    @Test func offsetCountsEscapesAsWritten() {
        // `a\/b)`: the `)` is the fifth character of the regex as written.
        #expect(
            diagnostic(#"body /a\/b)/ reject"#)
                == "r.conf:1:11: regex error: unmatched closing parenthesis (PCRE2 at offset 4)")
    }

    @Test func byteOffsetBecomesACharacterColumn() {
        // PCRE2 reports byte 5 (after `éé(`); the column counts characters.
        #expect(
            diagnostic("body /éé(/u reject")
                == "r.conf:1:10: regex error: missing closing parenthesis (PCRE2 at offset 5)")
    }

    @Test func parseDoesNotCompileRegexes() throws {
        #expect(try rules("body /(/ reject").count == 1)
    }
}

@Suite("Rules parser: locations across continuation lines")
struct ContinuationLocationTests {
    @Test func errorOnASecondPhysicalLine() {
        #expect(
            diagnostics("body /x/ \\\n    bogus\n")
                == ["r.conf:2:5: unknown action 'bogus', expected \(actionList)"])
    }

    @Test func errorOnAThirdPhysicalLine() {
        #expect(
            diagnostics("body \\\n  /x/ \\\n  reject 450\n")
                == ["r.conf:3:10: code 450 does not fit reject, expected 500-599"])
    }

    @Test func endOfAContinuedLine() {
        #expect(diagnostics("body /x/ \\\n\n") == ["r.conf:2:1: expected an action: \(actionList)"])
    }

    @Test func flagOnAContinuationLine() {
        #expect(diagnostics("body \\\n/x/q reject\n") == ["r.conf:2:4: unknown flag 'q', \(flagList)"])
    }

    @Test func lineNumbersAfterAContinuation() {
        #expect(
            diagnostics("body /x/ \\\n  reject\nbody /y/ nope\n")
                == ["r.conf:3:10: unknown action 'nope', expected \(actionList)"])
    }

    @Test func backslashBeforeTrailingBlanksDoesNotContinue() {
        #expect(
            diagnostics("body /x/ \\ \n  reject\n") == [
                "r.conf:1:10: unknown action '\\', expected \(actionList)",
                "r.conf:2:3: unknown stage 'reject', expected one of \(stageList)",
            ])
    }

    @Test func regexErrorOnAContinuationLine() {
        // A PCRE2 error offset inside a continued regex is shown on the physical line where
        // it was written: the `)` is at line 2, column 4 (not past the end of line 1).
        #expect(
            diagnostics("body /a \\\n  b)/x reject\n")
                == ["r.conf:2:4: regex error: unmatched closing parenthesis (PCRE2 at offset 6)"])
    }
}

@Suite("Rules parser: every error in one pass")
struct AllErrorsTests {
    @Test func reportsEveryErrorSortedByLocation() {
        let text = """
            # errors everywhere
            bogus /x/ reject
            body /x/q reject 450
            body /(/ reject
            set scan-limit lots
            header Subject
            addr 192.0.2.0/40 accept
            body /fine/ reject

            """
        let expected = [
            "r.conf:2:1: unknown stage 'bogus', expected one of \(stageList)",
            "r.conf:3:9: unknown flag 'q', \(flagList)",
            "r.conf:3:18: code 450 does not fit reject, expected 500-599",
            "r.conf:4:8: regex error: missing closing parenthesis (PCRE2 at offset 1)",
            "r.conf:5:16: bad size 'lots' for scan-limit, expected a number of bytes with optional k or m",
            "r.conf:6:15: expected a /regex/",
            "r.conf:7:6: prefix length 40 out of range 0-32",
        ]
        #expect(diagnostics(text) == expected)
        do {
            _ = try RuleSetLoader.compile(text: text, file: "r.conf")
            Issue.record("expected the file to be refused")
        } catch {
            #expect(error.description == expected.joined(separator: "\n"))
        }
    }

    @Test func regexAndSyntaxErrorsOfTheSameLine() {
        #expect(
            diagnostics("body /(/q reject")
                == [
                    "r.conf:1:8: regex error: missing closing parenthesis (PCRE2 at offset 1)",
                    "r.conf:1:9: unknown flag 'q', \(flagList)",
                ])
    }

    @Test func onlyRegexErrors() {
        #expect(
            diagnostics("body /(/ reject\nbody /ok/ reject\nheader /)/ reject\n")
                == [
                    "r.conf:1:8: regex error: missing closing parenthesis (PCRE2 at offset 1)",
                    "r.conf:3:9: regex error: unmatched closing parenthesis (PCRE2 at offset 0)",
                ])
    }

    @Test func fileNameIsUsedAsGiven() {
        #expect(
            diagnostics("body /x/ nope", file: "/etc/mail/filter-rules.conf")
                == ["/etc/mail/filter-rules.conf:1:10: unknown action 'nope', expected \(actionList)"])
    }
}

@Suite("Rules parser: syntax")
struct RulesSyntaxTests {
    @Test func commentsAndBlankLines() throws {
        let text = "# comment\n   \n\t# indented comment\n\nbody /x/ reject # trailing comment\n#\n"
        let parsed = try rules(text)
        #expect(parsed.count == 1)
        #expect(parsed[0].location == SourceLocation(file: "r.conf", line: 5, column: 1))
        #expect(parsed[0].source == "body /x/ reject # trailing comment")
        #expect(try rules("").isEmpty)
        #expect(try rules("# nothing but a comment").isEmpty)
        // A comment line never continues, even when it ends in a backslash.
        let afterComment = try rules("# disabled: \\\nhelo /x/ reject\n")
        #expect(afterComment.count == 1 && afterComment[0].location.line == 2)
    }

    @Test func hashInsideRegexAndTextIsNotAComment() throws {
        let parsed = try rule(#"body /a#b/ reject "5.7.1 no # here" # but here"#)
        #expect(regexSource(parsed) == "a#b")
        #expect(parsed.reply == Reply(code: 554, text: "5.7.1 no # here"))
    }

    @Test func continuationLines() throws {
        let parsed = try rules("body \\\n  /x/i \\\n  reject 553\nmail /y/ accept\n")
        #expect(parsed.count == 2)
        #expect(parsed[0].location == SourceLocation(file: "r.conf", line: 1, column: 1))
        #expect(parsed[0].source == "body    /x/i    reject 553")
        #expect(parsed[0].reply?.code == 553)
        guard case .regex(let source, let flags, let location) = parsed[0].pattern else {
            Issue.record("expected a regex")
            return
        }
        #expect(source == "x")
        #expect(flags == .caseless)
        #expect(location == SourceLocation(file: "r.conf", line: 2, column: 4))
        #expect(parsed[1].location == SourceLocation(file: "r.conf", line: 4, column: 1))
        // A continuation at the very end of the file ends the rule.
        #expect(try rules("body /z/ \\\nreject \\").count == 1)
    }

    @Test func escapedDelimiter() throws {
        let parsed = try rule(#"body /a\/b\\/ reject"#)
        #expect(regexSource(parsed) == #"a\/b\\"#)
        let set = try RuleSetLoader.compile(text: #"body /^a\/b$/ reject"#, file: "r.conf")
        let evaluator = SessionEvaluator(ruleSet: set)
        _ = evaluator.data()
        evaluator.dataLine(Array("h: v".utf8))
        evaluator.dataLine([])
        evaluator.dataLine(Array("a/b".utf8))
        #expect(evaluator.endOfMessage().verdict == .reject)
    }

    @Test func escapesInText() throws {
        let parsed = try rule(#"body /x/ reject "say \"hi\" \\ and \n""#)
        #expect(parsed.reply?.text == #"say "hi" \ and \n"#)
    }

    @Test func negationAndHeaderNames() throws {
        let parsed = try rules(
            #"""
            mail ! /a/ reject
            mail !/b/ reject
            header Subject: /c/ reject
            header ! X-Spam-Flag /d/ reject
            header Subject !/e/ reject
            header !/f/ reject
            body /g/ reject
            """#)
        #expect(parsed.map(\.isNegated) == [true, true, false, true, true, true, false])
        #expect(parsed.map(\.headerName) == [nil, nil, "subject", "x-spam-flag", "subject", nil, nil])
        #expect(parsed.map { regexSource($0) ?? "" } == ["a", "b", "c", "d", "e", "f", "g"])
    }

    @Test func keywordsAreCaseInsensitive() throws {
        let parsed = try rule("MAIL /x/ REJECT")
        #expect(parsed.stage == .mail)
        #expect(parsed.action == .reject)
        #expect(try rule("Body /x/ Accept Session").action == .accept(.session))
    }

    @Test func flagsAndPatternLocation() throws {
        let parsed = try rule("  header Subject /x/imsxu reject")
        guard case .regex(let source, let flags, let location) = parsed.pattern else {
            Issue.record("expected a regex")
            return
        }
        #expect(source == "x")
        #expect(flags == [.caseless, .multiline, .dotAll, .extended, .utf])
        #expect(location == SourceLocation(file: "r.conf", line: 1, column: 19))
        #expect(parsed.location == SourceLocation(file: "r.conf", line: 1, column: 3))
    }

    @Test func addressBlocks() throws {
        let parsed = try rules("addr 192.0.2.7/24 reject\naddr ! 2001:db8::/32 accept\naddr ::1 accept\naddr /^10\\./ reject\n")
        #expect(parsed.count == 4)
        #expect(parsed[0].pattern == .cidr(try CIDRBlock.parse("192.0.2.0/24").get()))
        #expect(parsed[1].pattern == .cidr(try CIDRBlock.parse("2001:db8::/32").get()))
        #expect(parsed[1].isNegated)
        #expect(parsed[2].pattern == .cidr(try CIDRBlock.parse("::1/128").get()))
        #expect(regexSource(parsed[3]) == #"^10\."#)
    }

    @Test func acceptScopes() throws {
        #expect(try rule("body /x/ accept").action == .accept(.stage))
        #expect(try rule("connect /x/ accept session").action == .accept(.session))
        #expect(try rule("addr ::1 accept session").action == .accept(.session))
        for stage in ["mail", "rcpt", "header", "body", "dataline"] {
            let parsed = try rule("\(stage) /x/ accept transaction")
            #expect(parsed.action == .accept(.transaction))
            #expect(parsed.reply == nil)
        }
    }
}

@Suite("Rules parser: replies")
struct ReplyTests {
    @Test func defaultRejectRepliesPerStage() throws {
        let expected: [(String, Reply)] = [
            ("connect", Reply(code: 554, text: "5.7.1 Connection refused by policy")),
            ("addr", Reply(code: 554, text: "5.7.1 Connection refused by policy")),
            ("helo", Reply(code: 550, text: "5.7.1 HELO/EHLO rejected by policy")),
            ("mail", Reply(code: 550, text: "5.7.1 Sender rejected by policy")),
            ("rcpt", Reply(code: 550, text: "5.7.1 Recipient rejected by policy")),
            ("header", Reply(code: 554, text: "5.7.1 Message rejected by policy")),
            ("body", Reply(code: 554, text: "5.7.1 Message rejected by policy")),
            ("dataline", Reply(code: 554, text: "5.7.1 Message rejected by policy")),
        ]
        for (stage, reply) in expected {
            let parsed = try rule("\(stage) /x/ reject")
            #expect(parsed.stage.rawValue == stage)
            #expect(parsed.reply == reply, "reject at \(stage)")
        }
    }

    @Test func defaultTempfailAndDisconnectReplies() throws {
        // A score term takes a comparison, not a regex (ScoreRulesTests); authfail rules
        // cannot refuse (StoreRulesTests).
        for stage in Stage.allCases where stage != .score && stage != .authfail {
            #expect(
                try rule("\(stage) /x/ tempfail").reply
                    == Reply(code: 451, text: "4.7.1 Temporarily refused by policy, try again later"))
            #expect(
                try rule("\(stage) /x/ disconnect").reply
                    == Reply(code: 421, text: "4.7.0 Closing connection by policy"))
            #expect(try rule("\(stage) /x/ accept").reply == nil)
        }
    }

    @Test func explicitCodesAndTexts() throws {
        #expect(try rule("mail /x/ reject 553").reply == Reply(code: 553, text: "5.7.1 Sender rejected by policy"))
        #expect(try rule(#"mail /x/ reject "5.1.8 Bad sender""#).reply == Reply(code: 550, text: "5.1.8 Bad sender"))
        #expect(try rule(#"rcpt /x/ tempfail 450 "4.2.0 Later""#).reply == Reply(code: 450, text: "4.2.0 Later"))
        #expect(try rule(#"dataline /x/ disconnect 554 "5.7.0 Bye""#).reply == Reply(code: 554, text: "5.7.0 Bye"))
        #expect(try rule("helo /x/ disconnect 421").reply == Reply(code: 421, text: "4.7.0 Closing connection by policy"))
        #expect(try rule(#"body /x/ reject """#).reply == Reply(code: 554, text: ""))
    }
}

@Suite("Rules parser: set options")
struct OptionTests {
    @Test func defaults() throws {
        let file = try RuleSetLoader.parse(text: "body /x/ reject", file: "r.conf")
        #expect(file.options == RuleOptions())
        #expect(file.options.failClosed == false)
        #expect(file.options.scanLimit == 0)
        #expect(file.options.limits == MatchLimits(matchLimit: 100_000, depthLimit: 10_000))
    }

    @Test func lastValueWins() throws {
        let text = """
            set fail-closed on
            set scan-limit 64k
            set match-limit 5000
            body /x/ reject
            set fail-closed off
            set scan-limit 2M
            set match-limit 7000
            set depth-limit 300
            """
        let file = try RuleSetLoader.parse(text: text, file: "r.conf")
        #expect(
            file.options
                == RuleOptions(
                    failClosed: false, scanLimit: 2 * 1024 * 1024,
                    limits: MatchLimits(matchLimit: 7000, depthLimit: 300)))
        #expect(file.rules.count == 1)
    }

    @Test func values() throws {
        func options(_ line: String) throws -> RuleOptions {
            try RuleSetLoader.parse(text: line, file: "r.conf").options
        }
        #expect(try options("set scan-limit 100").scanLimit == 100)
        #expect(try options("set scan-limit 0").scanLimit == 0)
        #expect(try options("set scan-limit 64k").scanLimit == 65_536)
        #expect(try options("set scan-limit 64K").scanLimit == 65_536)
        #expect(try options("set scan-limit 2m").scanLimit == 2_097_152)
        #expect(try options("set fail-closed yes").failClosed)
        #expect(try options("set fail-closed ON").failClosed)
        #expect(try !options("set fail-closed no").failClosed)
        #expect(try options("SET Match-Limit 1").limits.matchLimit == 1)
        #expect(try options("set depth-limit 4294967295").limits.depthLimit == UInt32.max)
        #expect(try options("set fail-closed on # comment").failClosed)
    }

    @Test func sizes() {
        #expect(RuleOptions.size("512") == 512)
        #expect(RuleOptions.size("1k") == 1024)
        #expect(RuleOptions.size("3M") == 3 * 1024 * 1024)
        #expect(RuleOptions.size("") == nil)
        #expect(RuleOptions.size("m") == nil)
        #expect(RuleOptions.size("1km") == nil)
        #expect(RuleOptions.size("+1") == nil)
    }
}

@Suite("Rules parser: filter-regex format")
struct LegacyFormatTests {
    @Test func parsesRulesWithTheToolsReplies() throws {
        let text = [
            "# filter-regex.conf",
            #"connect ! ^mx\.example\.org$"#,
            #"connect \.dynamic\."#,
            "  helo ^localhost$",
            #"mail @spam\.example$"#,
            "rcpt ^abuse@  \t",
            "dataline viagra",
        ].joined(separator: "\n")
        let file = try RuleSetLoader.parse(text: text, file: "old.conf")
        #expect(file.format == .legacyFilterRegex)
        #expect(file.options == RuleOptions())
        let parsed = file.rules
        #expect(parsed.count == 6)
        #expect(parsed.map(\.stage) == [.connect, .connect, .helo, .mail, .rcpt, .dataline])
        #expect(
            parsed.map { regexSource($0) ?? "" }
                == [#"^mx\.example\.org$"#, #"\.dynamic\."#, "^localhost$", #"@spam\.example$"#, "^abuse@", "viagra"])
        #expect(parsed.map(\.action) == [.accept(.input), .reject, .reject, .reject, .reject, .disconnect])
        #expect(
            parsed.map(\.reply) == [
                nil,
                Reply(code: 554, text: "5.7.1 Hostname rejected"),
                Reply(code: 554, text: "5.7.1 Helo rejected"),
                Reply(code: 554, text: "5.7.1 Sender rejected"),
                Reply(code: 554, text: "5.7.1 Recipient rejected"),
                Reply(code: 554, text: "5.7.1 Message content rejected"),
            ])
        #expect(parsed.allSatisfy { !$0.isNegated && $0.headerName == nil })
        #expect(parsed[0].location == SourceLocation(file: "old.conf", line: 2, column: 1))
        #expect(parsed[2].location == SourceLocation(file: "old.conf", line: 4, column: 3))
        #expect(parsed[0].source == #"connect ! ^mx\.example\.org$"#)
        #expect(parsed[4].source == "rcpt ^abuse@")
        guard case .regex(_, let flags, let location) = parsed[0].pattern else {
            Issue.record("expected a regex")
            return
        }
        #expect(flags == [])
        #expect(location == SourceLocation(file: "old.conf", line: 2, column: 11))
    }

    @Test func regexRunsToTheEndOfTheLine() throws {
        // `#format filter-regex`: else the third line would be an error, reading as the rules format.
        let parsed = try rules("#format filter-regex\nmail foo bar # not a comment\nmail !foo\nrcpt /x/ reject")
        #expect(parsed.map { regexSource($0) ?? "" } == ["foo bar # not a comment", "!foo", "/x/ reject"])
        #expect(parsed[1].action == .reject)
    }

    @Test func unknownKeyword() {
        #expect(
            diagnostics("mail ^a\nrcptx foo\n  header Subject\n") == [
                "r.conf:2:1: unknown keyword 'rcptx', expected one of connect, helo, mail, rcpt, dataline (filter-regex format)",
                "r.conf:3:3: unknown keyword 'header', expected one of connect, helo, mail, rcpt, dataline (filter-regex format)",
            ])
    }

    @Test func missingRegex() {
        #expect(
            diagnostics("mail ^a\nrcpt\n  helo   # note\nconnect   \n") == [
                "r.conf:2:5: expected a regex after 'rcpt'",
                "r.conf:3:10: expected a regex after 'helo'",
                "r.conf:4:11: expected a regex after 'connect'",
            ])
    }

    @Test func everyErrorIncludingRegexErrors() {
        #expect(
            diagnostics("mail ^a\nrcptx foo\nhelo\nmail (\ndataline ! a)\n") == [
                "r.conf:2:1: unknown keyword 'rcptx', expected one of connect, helo, mail, rcpt, dataline (filter-regex format)",
                "r.conf:3:5: expected a regex after 'helo'",
                "r.conf:4:7: regex error: missing closing parenthesis (PCRE2 at offset 1)",
                "r.conf:5:13: regex error: unmatched closing parenthesis (PCRE2 at offset 1)",
            ])
        #expect(diagnostics("mail (") == ["r.conf:1:7: regex error: missing closing parenthesis (PCRE2 at offset 1)"])
    }

    @Test func crlfLegacyFile() throws {
        // CRLF line ends in a filter-regex file, as in the rules format.
        let parsed = try rules("mail ^a\r\nrcpt ^b\r\n")
        #expect(parsed.map { regexSource($0) ?? "" } == ["^a", "^b"])
    }
}
