import TestSupport
import Testing
@testable import FilterRules

/// A new session evaluated with the rules of `text` (file `m.conf`).
private func session(_ text: String) throws -> SessionEvaluator { try rulesSession(text, file: "m.conf") }

extension SessionEvaluator {
    /// HELO, MAIL, RCPT, DATA, the lines and the final dot: the message's decision.
    fileprivate func transaction(
        _ lines: [String], helo name: String = "mx.example.org",
        from sender: String = "a@example.org", to recipient: String = "b@example.net"
    ) -> Decision {
        _ = helo(name)
        _ = mail(sender)
        _ = rcpt(recipient)
        _ = data()
        for line in lines { dataLine(Array(line.utf8)) }
        return endOfMessage()
    }
}

/// The kinds of a decision's marks, as written in rules files.
private func markWords(_ decision: Decision) -> [String] { decision.marks.map(\.description) }

@Suite("Evaluator: junk, add-header and warn do not decide")
struct NonFinalActionTests {
    @Test func aRejectAfterAJunkStillRejects() throws {
        let evaluator = try session(
            """
            helo /^localhost$/ junk
            helo /^local/ warn
            helo /^localhost$/ reject
            """)
        let decision = evaluator.helo("localhost")
        #expect(decision.verdict == .reject)
        #expect(decision.rule?.location.line == 3)
        #expect(markWords(decision) == ["junk", "warn"])
        #expect(!decision.isJunk)
    }

    @Test func aJunkAloneAcceptsAsJunk() throws {
        let evaluator = try session("helo /^localhost$/ junk\nhelo /^other$/ reject\n")
        let decision = evaluator.helo("localhost")
        #expect(decision.verdict == .accept)
        #expect(decision.rule == nil)
        #expect(decision.isJunk)
        #expect(evaluator.envelopeEdits.headerLines() == ["X-Spam: Yes"])
        #expect(evaluator.envelopeEdits.junk == .envelope)
    }

    @Test func anAcceptEndsTheStageAfterTheMarksBeforeIt() throws {
        let evaluator = try session(
            """
            mail /@example\\.org$/ add-header "X-Sender-Domain: example.org"
            mail /^postmaster@/ accept
            mail /@example\\.org$/ reject
            """)
        let decision = evaluator.mail("postmaster@example.org")
        #expect(decision.verdict == .accept)
        #expect(decision.rule?.location.line == 2)
        #expect(markWords(decision) == [#"add-header "X-Sender-Domain: example.org""#])
    }

    @Test func marksOfARefusedStepDoNotReachTheMessage() throws {
        let evaluator = try session(
            """
            rcpt /^spamtrap@/ add-header "X-Trap: yes"
            rcpt /^spamtrap@/ reject
            """)
        _ = evaluator.helo("mx")
        _ = evaluator.mail("a@example.org")
        #expect(evaluator.rcpt("spamtrap@example.net").verdict == .reject)
        #expect(evaluator.rcpt("b@example.net").isAccept)
        #expect(evaluator.envelopeEdits.isEmpty)
    }

    @Test func headersFromEveryStageGoToTheMessageOncePerRuleInOrder() throws {
        let evaluator = try session(
            """
            connect /\\.dyn\\./ add-header "X-Dynamic-Client: yes"
            rcpt /.+/ add-header "X-Recipient: $0"
            body /(?i)viagra/ add-header "X-Pills: yes"
            body /(?i)casino/ junk
            """)
        _ = evaluator.connect(address: "192.0.2.1", hostname: "host.dyn.example.org")
        _ = evaluator.helo("mx")
        _ = evaluator.mail("a@example.org")
        _ = evaluator.rcpt("one@example.net")
        _ = evaluator.rcpt("two@example.net")
        _ = evaluator.data()
        for line in ["Subject: hi", "", "Viagra here", "and viagra again", "casino!"] { evaluator.dataLine(Array(line.utf8)) }
        let decision = evaluator.endOfMessage()
        #expect(decision.verdict == .accept)
        #expect(decision.edits?.headerLines() == ["X-Spam: Yes", "X-Dynamic-Client: yes", "X-Recipient: one@example.net", "X-Pills: yes"])
        #expect(decision.edits?.junk == .content)
        // On OpenSMTPD 6.6+ a content junk is still the filter's to write.
        #expect(decision.edits?.headerLines(junkWrittenBySMTPD: true).first == "X-Spam: Yes")
        #expect(markWords(decision) == [#"add-header "X-Pills: yes""#, "junk"])
        #expect(decision.marks.map(\.matchedInput.messageLine) == [3, 5])
    }

    @Test func aTransactionsEditsEndWithIt() throws {
        let evaluator = try session(
            """
            helo /^mx$/ add-header "X-Helo: mx"
            mail /^bulk@/ add-header "X-Bulk: yes"
            """)
        let first = evaluator.transaction(["Subject: a", "", "x"], helo: "mx", from: "bulk@example.org")
        #expect(first.edits?.headerLines() == ["X-Helo: mx", "X-Bulk: yes"])
        _ = evaluator.mail("person@example.org")
        _ = evaluator.rcpt("b@example.net")
        _ = evaluator.data()
        #expect(evaluator.endOfMessage().edits?.headerLines() == ["X-Helo: mx"])
    }

    @Test func junkAtMailMarksTheSessionAsSmtpdDoes() throws {
        let evaluator = try session("mail /^bulk@/ junk\nrcpt /^trap@/ junk\n")
        #expect(evaluator.transaction(["x"], from: "bulk@example.org").edits?.junk == .envelope)
        _ = evaluator.mail("person@example.org")
        #expect(evaluator.envelopeEdits.junk == .envelope)
        let other = try session("rcpt /^trap@/ junk\n")
        #expect(other.transaction(["x"], to: "trap@example.net").edits?.junk == .envelope)
        _ = other.mail("person@example.org")
        #expect(other.envelopeEdits.junk == nil)
    }

    @Test func aContentRejectAfterAnAddHeaderRejectsTheMessage() throws {
        let evaluator = try session(
            """
            body /free/ add-header "X-Free: yes"
            body /money/ reject 554 "5.7.1 no"
            """)
        let decision = evaluator.transaction(["Subject: x", "", "free stuff", "and money"])
        #expect(decision.verdict == .reject)
        #expect(decision.edits == nil)
        #expect(markWords(decision) == [#"add-header "X-Free: yes""#])
    }

    @Test func everyMarkedRuleCountsOncePerMessage() throws {
        let evaluator = try session("body /x/ warn\n")
        let decision = evaluator.transaction(["", "x", "x", "x"])
        #expect(markWords(decision) == ["warn"])
        #expect(evaluator.ruleSet.hits.snapshot == [1])
    }
}

@Suite("Evaluator: captures in replies and headers")
struct CaptureExpansionTests {
    @Test func theDecidingRegexesGroupsFillTheReply() throws {
        let evaluator = try session(#"rcpt /^(\w+)@(example\.net)$/ reject 550 "5.1.1 <$1> is not at $2 ($0), costs $$1""#)
        _ = evaluator.helo("mx")
        _ = evaluator.mail("a@example.org")
        let decision = evaluator.rcpt("bob@example.net")
        #expect(decision.reply == Reply(code: 550, text: "5.1.1 <bob> is not at example.net (bob@example.net), costs $1"))
    }

    @Test func aGroupThatDidNotTakePartIsEmpty() throws {
        let evaluator = try session(#"helo /^(a)|(b)$/ reject "5.7.1 [$1][$2]""#)
        #expect(evaluator.helo("b").reply?.text == "5.7.1 [][b]")
    }

    @Test func namedHeaderRulesCaptureFromTheValue() throws {
        let evaluator = try session(#"header subject /^(\S+)/ add-header "X-First-Word: $1""#)
        #expect(evaluator.transaction(["Subject: Winner today", "", "x"]).edits?.headerLines() == ["X-First-Word: Winner"])
    }

    @Test func capturedTextIsSanitisedAndBounded() throws {
        let evaluator = try session(#"dataline /^X-Data: (.*)$/ add-header "X-Seen: $1""#)
        var line: [UInt8] = Array("X-Data: a\tb".utf8) + [0x00, 0x7f, 0xc3, 0xbc, 0x0d, 0x0b] + Array("end".utf8)
        line += Array(repeating: UInt8(ascii: "z"), count: 300)
        _ = evaluator.helo("mx")
        _ = evaluator.mail("a@example.org")
        _ = evaluator.rcpt("b@example.net")
        _ = evaluator.data()
        evaluator.dataLine(line)
        let header = try #require(evaluator.endOfMessage().edits?.headerLines().first)
        let captured = "a b?????" + "?" + "end" + String(repeating: "z", count: 128 - 12)
        #expect(header == "X-Seen: " + captured + "...")
        #expect(!header.utf8.contains(where: { $0 < 0x20 || $0 > 0x7e }))
    }

    @Test func aReplyIsCutToFitAnSMTPLine() throws {
        let evaluator = try session(#"helo /(.+)/ reject "5.7.1 $1 $1 $1 $1 $1""#)
        let text = try #require(evaluator.helo(String(repeating: "h", count: 400)).reply?.text)
        #expect(text.utf8.count == 450)
    }

    @Test func negatedRulesHaveNoCaptures() throws {
        let evaluator = try session(#"helo ! /^(mx)\./ reject "5.7.1 [$1]""#)
        #expect(evaluator.helo("localhost").reply?.text == "5.7.1 []")
    }
}

@Suite("Evaluator: report-only mode")
struct ReportOnlyTests {
    @Test func aRefusalIsHeldBackAndTheSessionGoesOn() throws {
        let evaluator = try session(
            """
            set mode report-only
            helo /^localhost$/ reject 550 "5.7.1 no $0"
            helo /^local/ tempfail
            helo /^localhost$/ add-header "X-Helo: localhost"
            """)
        let decision = evaluator.helo("localhost")
        #expect(decision.verdict == .accept)
        #expect(decision.reply == nil)
        #expect(decision.withheld?.verdict == .reject)
        #expect(decision.withheld?.reply == Reply(code: 550, text: "5.7.1 no localhost"))
        #expect(decision.withheld?.rule?.location.line == 2)
        #expect(decision.wouldHaveBeen.verdict == .reject)
        #expect(markWords(decision) == [#"add-header "X-Helo: localhost""#])
        #expect(decision.withheld?.description == "would reject 550 5.7.1 no localhost")
    }

    @Test func aDisconnectDoesNotCloseTheSession() throws {
        let evaluator = try session("set mode report-only\nconnect /dyn/ disconnect\nhelo /x/ reject\n")
        #expect(evaluator.connect(address: "192.0.2.1", hostname: "a.dyn.example").withheld?.verdict == .disconnect)
        #expect(evaluator.helo("mx").isAccept)
        #expect(evaluator.helo("x").withheld?.verdict == .reject)
    }

    @Test func aMessageRefusalIsHeldBackAtTheEnd() throws {
        let evaluator = try session("set mode report-only\nbody /money/ reject\nbody /later/ add-header \"X-Later: yes\"\n")
        let decision = evaluator.transaction(["", "money", "later"])
        #expect(decision.verdict == .accept)
        #expect(decision.withheld?.verdict == .reject)
        #expect(decision.withheld?.matchedInput?.messageLine == 2)
        #expect(decision.edits?.headerLines() == ["X-Later: yes"])
    }

    @Test func theModeCanBeSetFromOutside() throws {
        let enforced = try RuleSetLoader.compile(text: "helo /x/ reject\n", file: "m.conf")
        let reportOnly = enforced.withMode(.reportOnly)
        #expect(SessionEvaluator(ruleSet: reportOnly).helo("x").withheld?.verdict == .reject)
        #expect(SessionEvaluator(ruleSet: reportOnly.withMode(.enforce)).helo("x").verdict == .reject)
    }

    @Test func failClosedLimitsAreHeldBackToo() throws {
        let evaluator = try session("set mode report-only\nset fail-closed on\nset match-limit 10\nhelo /(a+)+$/ reject\n")
        let decision = evaluator.helo(String(repeating: "a", count: 30) + "b")
        #expect(decision.verdict == .accept)
        #expect(decision.withheld?.verdict == .tempfail)
    }
}

@Suite("Rule sets: holding messages")
struct HoldingTests {
    @Test func onlyMessageStageJunkAndAddHeaderHold() throws {
        func holds(_ text: String) throws -> Bool { try RuleSetLoader.compile(text: text, file: "h.conf").holdsMessages }
        #expect(try holds("body /x/ junk\n"))
        #expect(try holds("header subject /x/ add-header \"X-S: y\"\n"))
        #expect(try !holds("helo /x/ junk\nmail /x/ add-header \"X-M: y\"\n"))
        #expect(try !holds("body /x/ warn\nbody /y/ reject\n"))
        #expect(try !holds("set hold-limit 0\nbody /x/ junk\n"))
        #expect(try !holds("set hold-total 0\nbody /x/ junk\n"))
        #expect(try holds("set hold-total 1\nbody /x/ junk\n"))
        #expect(try RuleSetLoader.compile(text: "mail /x/ add-header \"X-M: y\"\n", file: "h.conf").addsHeadersFromEnvelope)
    }
}
