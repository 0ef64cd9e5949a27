import Testing
@testable import FilterRules

@Suite("Parser: junk, add-header, warn, captures, mode and hold-limit")
struct MarkingActionParserTests {
    @Test func theNewActionsParse() throws {
        let parsed = try rules(
            """
            helo /^localhost$/ junk
            body /bit\\.ly\\/(\\w+)/ add-header "X-Short-Link: $1"
            mail /@example\\.net$/ warn
            """)
        #expect(parsed.map(\.action) == [.junk, .addHeader("X-Short-Link: $1"), .warn])
        #expect(parsed.map(\.action.isFinal) == [false, false, false])
        #expect(parsed[1].template?.pieces == [.literal("X-Short-Link: "), .group(1)])
        #expect(parsed[1].template?.references.first?.location.description == "r.conf:2:49")
        #expect(parsed.map(\.reply) == [nil, nil, nil])
    }

    @Test func replyTextsTakeCapturesAndDollars() throws {
        let parsed = try rule(#"rcpt /^(\w+)@/ reject 550 "5.1.1 <$1> costs $$5, matched $0""#)
        #expect(parsed.reply?.text == "5.1.1 <$1> costs $$5, matched $0")
        #expect(parsed.template?.pieces == [.literal("5.1.1 <"), .group(1), .literal("> costs $5, matched "), .group(0)])
        #expect(parsed.template?.highestGroup == 1)
    }

    @Test func plainTextsHaveNoTemplate() throws {
        #expect(try rule(#"helo /x/ reject "5.7.1 go away""#).template == nil)
        #expect(try rule(#"body /x/ add-header "X-Seen: yes""#).template == nil)
    }

    @Test func everyMistakeHasItsPlaceAndAHint() {
        #expect(diagnostic(#"helo /x/ junk 550"#) == "r.conf:1:15: junk takes no code")
        #expect(diagnostic(#"helo /x/ warn "why""#) == "r.conf:1:15: warn takes no reply text")
        #expect(
            diagnostic(#"body /x/ add-header"#)
                == #"r.conf:1:20: expected the header to add in quotes after add-header, e.g. add-header "X-Filter-Rules: matched $0""#)
        #expect(diagnostic(#"body /x/ add-header X-Seen"#)?.hasPrefix("r.conf:1:21: expected the header to add in quotes") == true)
        #expect(
            diagnostic(#"body /x/ add-header "X-Seen yes""#)
                == "r.conf:1:22: expected 'Name: value' in add-header, found no ':' after the header name")
        #expect(
            diagnostic(#"body /x/ add-header "X Seen: yes""#)
                == "r.conf:1:23: bad character ' ' in the header name of add-header, expected letters, digits and '-' before ':'")
        #expect(diagnostic(#"body /x/ add-header ": yes""#) == "r.conf:1:22: expected a header name before ':' in add-header")
        #expect(diagnostic(#"body /x/ add-header "X-Seen: grün""#)?.hasPrefix("r.conf:1:32: non-ASCII character 'ü' in add-header") == true)
        #expect(diagnostic(#"body /x/ add-header "X-Seen: yes" reject"#) == "r.conf:1:35: unexpected reject, expected the end of the rule")
        #expect(diagnostic(#"helo /x/ junk "text""#) == "r.conf:1:15: junk takes no reply text")
        #expect(
            diagnostic(#"helo /(x)/ reject "5.7.1 $x""#)
                == "r.conf:1:26: '$' starts a capture reference in a text: write $0 (the whole match) to $9 (a group), $txt (a DNS list's text), $score, $symbols, or $$ for a dollar sign"
        )
        #expect(
            diagnostic(#"helo /x/ frobnicate"#)
                == "r.conf:1:10: unknown action 'frobnicate', expected accept, reject, tempfail, disconnect, greylist, junk, add-header, warn, score, add-to or remove-from"
        )
    }

    @Test func aTooLongHeaderIsRefused() {
        let long = "X-Long: " + String(repeating: "a", count: 1000)
        #expect(
            diagnostic("body /x/ add-header \"\(long)\"")
                == "r.conf:1:1020: add-header line of 1008 bytes, at most 998 fit a header line")
    }

    @Test func groupsTheRegexDoesNotHaveAreNamedWhereTheyAreWritten() {
        #expect(
            diagnostic(#"helo /x/ reject "5.7.1 $1""#)
                == "r.conf:1:24: $1 refers to group 1, but the regex has no groups (write $$ for a dollar sign)")
        #expect(
            diagnostic(#"body /(a)(b)/ add-header "X-M: $2 $3""#)
                == "r.conf:1:35: $3 refers to group 3, but the regex has only 2 groups (write $$ for a dollar sign)")
        #expect(diagnostic(#"body /(a)/ add-header "X-M: $0 $1""#) == nil && diagnostics(#"body /(a)/ add-header "X-M: $0 $1""#).isEmpty)
    }

    @Test func capturesOfNegatedAndAddressRulesAreWarnedAbout() throws {
        let negated = try RuleSetLoader.compile(text: #"helo ! /(\w+)/ reject "5.7.1 no $1""#, file: "r.conf")
        #expect(
            negated.warnings.map(\.logText) == [
                "r.conf:1:33: $1 is always empty here: the rule is negated, it matches when its regex does not, so there is no match to capture from"
            ])
        let block = try RuleSetLoader.compile(text: #"addr 192.0.2.0/24 reject "5.7.1 $0""#, file: "r.conf")
        #expect(block.warnings.map(\.logText) == ["r.conf:1:33: $0 is always empty here: an address block captures nothing"])
    }

    @Test func modeHoldLimitAndHoldTotalAreOptions() throws {
        let parsed = try RuleSetLoader.parse(text: "set mode report-only\nset hold-limit 2m\nset hold-total 3K\n", file: "r.conf")
        #expect(parsed.options.mode == .reportOnly)
        #expect(parsed.options.holdLimit == 2 << 20)
        #expect(parsed.options.holdTotal == 3 << 10)
        let defaults = try RuleSetLoader.parse(text: "", file: "r.conf").options
        #expect(defaults.mode == .enforce)
        #expect(defaults.holdLimit == 64 << 20)
        #expect(defaults.holdTotal == 256 << 20)
        #expect(
            diagnostic("set hold-total 5g")
                == "r.conf:1:16: bad size '5g' for hold-total, expected a number of bytes with optional k or m")
        #expect(diagnostic("set mode loud") == "r.conf:1:10: bad value 'loud' for mode, expected enforce or report-only")
        #expect(
            diagnostic("set hold-limit lots")
                == "r.conf:1:16: bad size 'lots' for hold-limit, expected a number of bytes with optional k or m")
    }
}
