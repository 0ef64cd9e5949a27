import Testing
@testable import FilterRules
@testable import PCRE2Matching

/// A rule set compiled from `text` as the file `e.conf`.
private func ruleSet(_ text: String) throws -> CompiledRuleSet {
    try RuleSetLoader.compile(text: text, file: "e.conf")
}

/// A new session evaluated with the rules of `text`.
private func session(_ text: String) throws -> SessionEvaluator {
    SessionEvaluator(ruleSet: try ruleSet(text))
}

extension SessionEvaluator {
    /// DATA, then `lines` of the message, then the final dot: the message's verdict.
    fileprivate func message(_ lines: [String]) -> Decision {
        _ = data()
        for line in lines { dataLine(Array(line.utf8)) }
        return endOfMessage()
    }
}

/// The line (in `e.conf`) of the rule that decided, nil when none did.
private func ruleLine(_ decision: Decision) -> Int? {
    decision.rule?.location.line
}

/// A run of `count` a's followed by a `b`: catastrophic for `/(a+)+$/`.
private func catastrophicSubject(_ count: Int = 30) -> String {
    String(repeating: "a", count: count) + "b"
}

@Suite("Session evaluator: first match")
struct FirstMatchTests {
    @Test func firstMatchInFileOrderDecides() throws {
        let rules = #"""
            mail /example/ tempfail
            mail /@example\.org$/ reject
            mail /^postmaster@/ accept
            mail /./ reject 553
            """#
        let evaluator = try session(rules)
        let tempfail = evaluator.mail("someone@example.org")
        #expect(tempfail.verdict == .tempfail)
        #expect(tempfail.reply == Reply(code: 451, text: "4.7.1 Temporarily refused by policy, try again later"))
        #expect(ruleLine(tempfail) == 1)
        #expect(ruleLine(evaluator.mail("postmaster@example.org")) == 1)
        let accepted = evaluator.mail("postmaster@other.net")
        #expect(accepted.verdict == .accept)
        #expect(accepted.reply == nil)
        #expect(ruleLine(accepted) == 3)
        let rejected = evaluator.mail("someone@other.net")
        #expect(rejected.verdict == .reject)
        #expect(rejected.reply == Reply(code: 553, text: "5.7.1 Sender rejected by policy"))
        #expect(ruleLine(rejected) == 4)
        #expect(rejected.description == "reject 553 5.7.1 Sender rejected by policy (e.conf:4)")
    }

    @Test func swappingRulesChangesTheDecision() throws {
        let evaluator = try session("mail /@example\\.org$/ reject\nmail /example/ tempfail\n")
        let decision = evaluator.mail("someone@example.org")
        #expect(decision.verdict == .reject)
        #expect(ruleLine(decision) == 1)
    }

    @Test func noMatchAccepts() throws {
        let evaluator = try session("rcpt /^spam@/ reject\nheader /^X-Spam: yes/ reject\n")
        #expect(evaluator.connect(address: "192.0.2.1", hostname: "mx.example.org") == .accept)
        #expect(evaluator.helo("mx.example.org") == .accept)
        #expect(evaluator.mail("a@example.org") == .accept)
        #expect(evaluator.rcpt("ham@example.org") == .accept)
        #expect(evaluator.data() == .accept)
        #expect(evaluator.message(["X-Spam: no", "", "X-Spam: yes"]) == .accept)
        #expect(Decision.accept.rule == nil && Decision.accept.reason == nil && Decision.accept.reply == nil)
    }

    @Test func negation() throws {
        let evaluator = try session(#"helo ! /\./ reject "5.7.1 HELO needs a domain""#)
        let refused = evaluator.helo("localhost")
        #expect(refused.verdict == .reject)
        #expect(refused.reply == Reply(code: 550, text: "5.7.1 HELO needs a domain"))
        #expect(ruleLine(refused) == 1)
        #expect(evaluator.helo("mx.example.org") == .accept)
    }

    @Test func negationFallsThroughToLaterRules() throws {
        let evaluator = try session("rcpt !/@example\\.org$/ tempfail\nrcpt /^abuse@/ reject\n")
        #expect(ruleLine(evaluator.rcpt("x@other.net")) == 1)
        #expect(ruleLine(evaluator.rcpt("abuse@example.org")) == 2)
        #expect(evaluator.rcpt("info@example.org") == .accept)
    }

    @Test func disconnectClosesTheSession() throws {
        let evaluator = try session("helo /^bad/ disconnect\nmail /./ accept\n")
        let closed = evaluator.helo("bad.example")
        #expect(closed.verdict == .disconnect)
        #expect(closed.reply == Reply(code: 421, text: "4.7.0 Closing connection by policy"))
        #expect(evaluator.helo("good.example") == closed)
        #expect(evaluator.mail("a@example.org") == closed)
        #expect(evaluator.rcpt("b@example.org") == closed)
        #expect(evaluator.data() == closed)
    }
}

@Suite("Session evaluator: addresses and connect")
struct AddressTests {
    let rules = """
        addr 192.0.2.0/24 reject "5.7.1 v4 block"
        addr 2001:db8::/32 reject "5.7.1 v6 block"
        addr 198.51.100.7 tempfail
        addr /^10\\./ reject 550 "5.7.1 by regex"
        """

    func decide(_ address: String) throws -> Decision {
        try session(rules).connect(address: address, hostname: "host.example")
    }

    @Test func ipv4Blocks() throws {
        let decision = try decide("192.0.2.200")
        #expect(decision.verdict == .reject)
        #expect(decision.reply == Reply(code: 554, text: "5.7.1 v4 block"))
        #expect(ruleLine(decision) == 1)
        #expect(try decide("192.0.3.1") == .accept)
        #expect(try ruleLine(decide("198.51.100.7")) == 3)
        #expect(try decide("198.51.100.8") == .accept)
        #expect(try decide("10.1.2.3").reply == Reply(code: 550, text: "5.7.1 by regex"))
    }

    @Test func ipv6Blocks() throws {
        #expect(try ruleLine(decide("2001:db8:1::5")) == 2)
        #expect(try ruleLine(decide("[2001:db8::1]")) == 2)
        #expect(try decide("2001:db9::1") == .accept)
        #expect(try decide("::1") == .accept)
    }

    @Test func ipv4MappedAddressesMatchIPv4Blocks() throws {
        #expect(try ruleLine(decide("::ffff:192.0.2.9")) == 1)
        #expect(try ruleLine(decide("::ffff:198.51.100.7")) == 3)
        #expect(try decide("::ffff:192.0.3.9") == .accept)
    }

    @Test func negatedBlock() throws {
        let rules = "addr ! 192.0.2.0/24 reject\naddr ! 2001:db8::/32 tempfail\n"
        #expect(try session(rules).connect(address: "192.0.2.1", hostname: "h").verdict == .tempfail)
        #expect(try session(rules).connect(address: "203.0.113.1", hostname: "h").verdict == .reject)
        #expect(try session(rules).connect(address: "2001:db8::1", hostname: "h").verdict == .reject)
    }

    @Test func addrIsDecidedBeforeConnect() throws {
        let rules = """
            connect /\\.example$/ reject "5.7.1 by name"
            addr 192.0.2.0/24 reject "5.7.1 by address"
            """
        let byAddress = try session(rules).connect(address: "192.0.2.1", hostname: "mail.example")
        #expect(byAddress.reply?.text == "5.7.1 by address")
        #expect(ruleLine(byAddress) == 2)
        let byName = try session(rules).connect(address: "203.0.113.1", hostname: "mail.example")
        #expect(byName.reply?.text == "5.7.1 by name")
        #expect(try session(rules).connect(address: nil, hostname: "mail.example").reply?.text == "5.7.1 by name")
        #expect(try session(rules).connect(address: "203.0.113.1", hostname: "mail.example.org") == .accept)
    }

    @Test func plainAcceptCoversOnlyItsStage() throws {
        let rules = "addr 192.0.2.0/24 accept\nconnect /./ reject\nhelo /./ reject\n"
        let evaluator = try session(rules)
        let connect = evaluator.connect(address: "192.0.2.1", hostname: "trusted.example")
        #expect(connect.verdict == .reject)
        #expect(ruleLine(connect) == 2)
    }

    @Test func acceptSessionCoversEveryLaterStage() throws {
        let rules = """
            addr 192.0.2.0/24 accept session
            connect /./ reject
            helo /./ reject
            mail /./ reject
            rcpt /./ reject
            header /./ reject
            body /./ reject
            dataline /./ reject
            """
        let set = try ruleSet(rules)
        let trusted = SessionEvaluator(ruleSet: set)
        let connect = trusted.connect(address: "192.0.2.1", hostname: "trusted.example")
        #expect(connect.verdict == .accept)
        #expect(ruleLine(connect) == 1)
        #expect(connect.reason == nil)
        let steps = [
            trusted.helo("trusted.example"), trusted.mail("a@example.org"), trusted.rcpt("b@example.org"),
            trusted.data(), trusted.message(["Subject: x", "", "body"]), trusted.mail("c@example.org"),
        ]
        for step in steps {
            #expect(step.verdict == .accept)
            #expect(step.reason == "accept session")
            #expect(ruleLine(step) == 1)
        }
        #expect(set.hits.snapshot == [1, 0, 0, 0, 0, 0, 0, 0])

        let other = SessionEvaluator(ruleSet: set)
        #expect(ruleLine(other.connect(address: "203.0.113.1", hostname: "other.example")) == 2)
    }

    @Test func acceptSessionAtALaterStage() throws {
        let evaluator = try session("helo /^trusted\\./ accept session\nmail /./ reject\n")
        #expect(ruleLine(evaluator.helo("trusted.example")) == 1)
        #expect(evaluator.mail("a@example.org").reason == "accept session")
    }
}

@Suite("Session evaluator: transactions")
struct TransactionTests {
    let rules = """
        mail /^trusted@/ accept transaction
        rcpt /^blocked@/ reject
        dataline /spam/ reject
        """

    @Test func acceptTransactionCoversTheRestOfTheTransaction() throws {
        let evaluator = try session(rules)
        #expect(ruleLine(evaluator.mail("trusted@example.org")) == 1)
        let rcpt = evaluator.rcpt("blocked@example.org")
        #expect(rcpt.verdict == .accept)
        #expect(rcpt.reason == "accept transaction")
        #expect(ruleLine(rcpt) == 1)
        #expect(evaluator.data().reason == "accept transaction")
        let message = evaluator.message(["Subject: spam", "", "spam"])
        #expect(message.verdict == .accept)
        #expect(message.reason == "accept transaction")
    }

    @Test func scopeEndsWithTheMessage() throws {
        let evaluator = try session(rules)
        _ = evaluator.mail("trusted@example.org")
        _ = evaluator.message(["", "ham"])
        #expect(evaluator.rcpt("blocked@example.org").verdict == .reject)
    }

    @Test func scopeEndsWithTheNextMail() throws {
        let evaluator = try session(rules)
        _ = evaluator.mail("trusted@example.org")
        #expect(evaluator.mail("other@example.org") == .accept)
        #expect(ruleLine(evaluator.rcpt("blocked@example.org")) == 2)
        #expect(evaluator.message(["", "spam"]).verdict == .reject)
    }

    @Test func scopeEndsWithReset() throws {
        let evaluator = try session(rules)
        _ = evaluator.mail("trusted@example.org")
        #expect(evaluator.rcpt("blocked@example.org").isAccept)
        evaluator.reset()
        #expect(evaluator.rcpt("blocked@example.org").verdict == .reject)
    }

    @Test func scopeEndsWithTransactionEnded() throws {
        let evaluator = try session(rules)
        _ = evaluator.mail("trusted@example.org")
        evaluator.transactionEnded()
        #expect(evaluator.rcpt("blocked@example.org").verdict == .reject)
    }

    @Test func acceptTransactionFromAHeader() throws {
        let evaluator = try session("header /^X-Trusted: yes/ accept transaction\nbody /spam/ reject\nrcpt /./ reject\n")
        let decision = evaluator.message(["X-Trusted: yes", "", "spam"])
        #expect(decision.verdict == .accept)
        #expect(decision.reason == "accept transaction")
        #expect(evaluator.rcpt("a@example.org").verdict == .reject)
        #expect(evaluator.message(["X-Trusted: no", "", "spam"]).verdict == .reject)
    }
}

@Suite("Session evaluator: message data")
struct MessageDataTests {
    @Test func foldedHeadersAreJoined() throws {
        let evaluator = try session(#"header Subject /^hello world$/ reject "5.7.1 folded""#)
        let folded = evaluator.message(["Subject: hello\r", " world\r", "From: a@example.org\r", "\r", "body\r"])
        #expect(folded.verdict == .reject)
        #expect(folded.reply == Reply(code: 554, text: "5.7.1 folded"))
        #expect(evaluator.message(["Subject: hello", "X-Other: world", "", "body"]) == .accept)
        #expect(evaluator.message(["Subject: hello world", " again", "", "body"]) == .accept)
    }

    @Test func foldingKeepsTheContinuationsWhitespace() throws {
        let evaluator = try session(#"header /^Subject: one\ttwo  three$/ reject"#)
        #expect(evaluator.message(["Subject: one", "\ttwo", "  three", "", "b"]).verdict == .reject)
    }

    @Test func lastHeaderIsCheckedWithoutABody() throws {
        let evaluator = try session("header Subject /^hello world$/ reject")
        #expect(evaluator.message(["From: a@example.org", "Subject: hello", " world"]).verdict == .reject)
    }

    @Test func headerNameMatchesOnlyThatHeadersValue() throws {
        let evaluator = try session("header subject: /viagra/i reject\nheader X-Flag /^yes$/ tempfail\n")
        #expect(evaluator.message(["SUBJECT: Cheap VIAGRA", "", "b"]).verdict == .reject)
        #expect(evaluator.message(["Subject : viagra", "", "b"]).verdict == .reject)
        #expect(evaluator.message(["X-Subject: viagra", "", "b"]) == .accept)
        #expect(evaluator.message(["From: viagra@example.org", "", "b"]) == .accept)
        #expect(evaluator.message(["From: a", "", "Subject: viagra"]) == .accept)
        // The regex sees the value only: `^` anchors after the name and the spaces.
        #expect(evaluator.message(["X-Flag:   yes", "", "b"]).verdict == .tempfail)
        #expect(evaluator.message(["X-Flag: yes, really", "", "b"]) == .accept)
    }

    @Test func headerRuleWithoutNameSeesTheWholeLine() throws {
        let evaluator = try session("header /^subject: .*viagra/i reject")
        #expect(evaluator.message(["Subject: viagra", "", "b"]).verdict == .reject)
        #expect(evaluator.message(["X-Subject: viagra", "", "b"]) == .accept)
    }

    @Test func negatedNamedHeaderRuleLooksOnlyAtThatHeader() throws {
        // A `header NAME` rule does not look at other headers at all, so with `!` it does not
        // fire on them: "reject an empty Subject" leaves messages with other headers alone.
        let evaluator = try session(#"header Subject ! /\S/ reject "5.7.1 empty subject""#)
        #expect(evaluator.message(["Subject:  ", "", "b"]).verdict == .reject)
        #expect(evaluator.message(["From: a@example.org", "Subject: hello", "", "b"]) == .accept)
    }

    @Test func headerLineWithoutAColonIsSeenOnlyWithoutAName() throws {
        #expect(try session("header /^no colon here$/ reject").message(["no colon here", "", "b"]).verdict == .reject)
        #expect(try session("header no /colon/ reject").message(["no colon here", "", "b"]) == .accept)
    }

    @Test func linesAreMatchedAsBytes() throws {
        let evaluator = try session("dataline /^ok.$/u reject 551\ndataline /\\xff/ reject 552\n")
        func verdict(_ line: [UInt8]) -> Decision {
            _ = evaluator.data()
            evaluator.dataLine([])
            evaluator.dataLine(line)
            return evaluator.endOfMessage()
        }
        // Invalid UTF-8 never matches a character under `u`, and does not make matching fail.
        #expect(verdict([0x6f, 0x6b, 0xff]).reply?.code == 552)
        #expect(verdict([0x6f, 0x6b, 0xc3, 0xa9]).reply?.code == 551)
        #expect(verdict([0x6f, 0x6b, 0x00, 0x0d]).reply?.code == 551)
    }

    @Test func bodyStartsAfterTheFirstEmptyLine() throws {
        let body = try session("body /^Subject:/ reject")
        #expect(body.message(["Subject: x", "", "hello"]) == .accept)
        #expect(body.message(["From: a", "", "Subject: quoted"]).verdict == .reject)
        let header = try session("header /^Received:/ reject")
        #expect(header.message(["From: a", "", "Received: in the body"]) == .accept)
        #expect(header.message(["From: a", "", "x", "", "Received: after a second blank line"]) == .accept)
        #expect(header.message(["Received: from x", "", "b"]).verdict == .reject)
    }

    @Test func separatorLineIsNotBodyButLaterEmptyLinesAre() throws {
        let evaluator = try session("body /^$/ reject")
        #expect(evaluator.message(["A: b", "", "x"]) == .accept)
        #expect(evaluator.message(["A: b", "\r", "x"]) == .accept)
        #expect(evaluator.message(["A: b", "", "x", ""]).verdict == .reject)
    }

    @Test func datalineSeesEveryLine() throws {
        let rules = """
            dataline /^Subject: s$/ reject 550
            dataline /^$/ reject 551
            dataline /^tail$/ reject 552
            """
        let evaluator = try session(rules)
        #expect(evaluator.message(["Subject: s", "", "b"]).reply?.code == 550)
        #expect(evaluator.message(["From: a", "", "b"]).reply?.code == 551)
        #expect(evaluator.message(["From: a", "\r", "b"]).reply?.code == 551)
        #expect(evaluator.message(["From: a"]) == .accept)
        #expect(try session("dataline /^tail$/ reject").message(["From: a", "", "tail"]).verdict == .reject)
        #expect(try session("dataline /^From: a$/ reject").message(["From: a", "", "b"]).verdict == .reject)
    }

    @Test func trailingCarriageReturnIsStripped() throws {
        let evaluator = try session("dataline /^spam$/ reject\nbody /^ham$/ tempfail\n")
        #expect(evaluator.message(["A: b\r", "\r", "spam\r"]).verdict == .reject)
        #expect(evaluator.message(["A: b\r", "\r", "ham\r"]).verdict == .tempfail)
    }

    @Test func firstRefusalOfTheMessageStands() throws {
        let evaluator = try session("dataline /one/ reject 551\ndataline /two/ reject 552\n")
        #expect(evaluator.message(["", "two", "one"]).reply?.code == 552)
        // The next message starts afresh.
        #expect(evaluator.message(["", "ham"]) == .accept)
        #expect(evaluator.message(["", "one"]).reply?.code == 551)
    }

    @Test func acceptEndsTheStageForTheMessage() throws {
        let evaluator = try session("header /^X-Scanned: clean/ accept\nheader /viagra/ reject\ndataline /^bad$/ tempfail\n")
        #expect(evaluator.message(["X-Scanned: clean", "Subject: viagra", "", "b"]) == .accept)
        #expect(evaluator.message(["Subject: viagra", "X-Scanned: clean", "", "b"]).verdict == .reject)
        // Other data stages go on.
        #expect(evaluator.message(["X-Scanned: clean", "", "bad"]).verdict == .tempfail)
    }

    @Test func messageDisconnectClosesTheSession() throws {
        let evaluator = try session(#"dataline /virus/ disconnect 554 "5.7.0 Bye""#)
        let decision = evaluator.message(["", "virus"])
        #expect(decision.verdict == .disconnect)
        #expect(decision.reply == Reply(code: 554, text: "5.7.0 Bye"))
        #expect(evaluator.mail("a@example.org") == decision)
    }
}

@Suite("Session evaluator: limits")
struct LimitTests {
    @Test func scanLimitCutsDataScanning() throws {
        let evaluator = try session("set scan-limit 20\ndataline /spam/ reject\n")
        // 11 + 9 bytes (with line ends) come first, so the third line starts at byte 20.
        #expect(evaluator.message(["aaaaaaaaaa", "bbbbbbbb", "spam"]) == .accept)
        // A line that starts within the limit is scanned whole.
        #expect(evaluator.message(["aaaaaaaaaa", "bbbbbbb", "xxxxxxxxxxxxxxxspam"]).verdict == .reject)
        // Each message has its own budget.
        #expect(evaluator.message(["spam"]).verdict == .reject)
    }

    @Test func scanLimitWithSuffix() throws {
        let evaluator = try session("set scan-limit 1k\nbody /spam/ reject\n")
        let long = String(repeating: "a", count: 1100)
        #expect(evaluator.message(["", long, "spam"]) == .accept)
        #expect(evaluator.message(["", String(repeating: "a", count: 1000), "spam"]).verdict == .reject)
    }

    @Test func scanLimitAppliesToHeadersAndBody() throws {
        let rules = "set scan-limit 20\nheader /spam/ reject 551\nbody /spam/ reject 552\n"
        let evaluator = try session(rules)
        #expect(evaluator.message(["A: aaaaaaaaaaaaaaaaaa", "B: spam", "", "spam"]) == .accept)
        #expect(evaluator.message(["A: a", "B: spam", "", "b"]).reply?.code == 551)
        #expect(evaluator.message(["A: a", "", "spam"]).reply?.code == 552)
    }

    @Test func scanLimitFromTheCommandLine() throws {
        let set = try ruleSet("set scan-limit 5\ndataline /spam/ reject\n")
        #expect(SessionEvaluator(ruleSet: set).message(["aaaaaa", "spam"]) == .accept)
        let unlimited = set.withScanLimit(0)
        #expect(unlimited.options.scanLimit == 0)
        #expect(SessionEvaluator(ruleSet: unlimited).message(["aaaaaa", "spam"]).verdict == .reject)
    }

    @Test func matchLimitCountsAsNoMatch() throws {
        let evaluator = try session("set match-limit 1000\ndataline /(a+)+$/ reject\n")
        var failures: [(Int, String)] = []
        evaluator.onLimitExceeded = { rule, reason in failures.append((rule.location.line, reason)) }
        // The pattern itself works on an input that does not explode.
        #expect(evaluator.message(["", "aaa"]).verdict == .reject)
        #expect(failures.isEmpty)
        #expect(evaluator.message(["", catastrophicSubject()]) == .accept)
        #expect(failures.count == 1)
        #expect(failures.first?.0 == 2)
        #expect(failures.first?.1 == "match limit exceeded")
        #expect(evaluator.ruleSet.hits.snapshot == [1])
    }

    @Test func laterRuleDecidesAfterALimit() throws {
        let evaluator = try session("set match-limit 1000\nmail /(a+)+$/ reject\nmail /b$/ tempfail\n")
        var failures = 0
        evaluator.onLimitExceeded = { _, _ in failures += 1 }
        let decision = evaluator.mail(catastrophicSubject())
        #expect(decision.verdict == .tempfail)
        #expect(ruleLine(decision) == 3)
        #expect(failures == 1)
    }

    @Test func negatedRuleDoesNotFireOnALimit() throws {
        let evaluator = try session("set match-limit 1000\nmail ! /(a+)+$/ reject\n")
        #expect(evaluator.mail(catastrophicSubject()) == .accept)
        #expect(evaluator.mail("xyz").verdict == .reject)
    }

    @Test func earlierMatchNeverRunsTheCatastrophicRule() throws {
        let evaluator = try session("set match-limit 1000\nset fail-closed on\nmail /b$/ accept\nmail /(a+)+$/ reject\n")
        var failures = 0
        evaluator.onLimitExceeded = { _, _ in failures += 1 }
        #expect(ruleLine(evaluator.mail(catastrophicSubject())) == 3)
        #expect(failures == 0)
    }

    @Test func failClosedTempfails() throws {
        let rules = "set fail-closed on\nset match-limit 1000\nmail /(a+)+$/ reject\nmail /b$/ accept\ndataline /(a+)+$/ reject\n"
        let evaluator = try session(rules)
        var failures = 0
        evaluator.onLimitExceeded = { _, _ in failures += 1 }
        let envelope = evaluator.mail(catastrophicSubject())
        #expect(envelope.verdict == .tempfail)
        #expect(envelope.reply == Reply(code: 451, text: "4.3.0 Temporary failure evaluating rules"))
        #expect(envelope.rule == nil)
        #expect(envelope.reason == "e.conf:3: match limit exceeded, fail-closed")
        let message = evaluator.message(["", catastrophicSubject()])
        #expect(message.verdict == .tempfail)
        #expect(message.reply == DefaultReplies.evaluationFailure)
        #expect(message.reason == "e.conf:5: match limit exceeded, fail-closed")
        #expect(failures == 2)
        #expect(evaluator.ruleSet.hits.snapshot == [0, 0, 0])
        // The session goes on: a tempfail does not close it.
        #expect(evaluator.mail("xyz").isAccept)
    }

    @Test func limitsComeFromTheRulesFile() throws {
        let set = try ruleSet("set match-limit 1000\nset depth-limit 50\nmail /(a+)+$/ reject\n")
        #expect(set.options.limits == MatchLimits(matchLimit: 1000, depthLimit: 50))
        // With the default limits a short run completes and simply does not match.
        let generous = try session("mail /(a+)+$/ reject")
        var failures = 0
        generous.onLimitExceeded = { _, _ in failures += 1 }
        #expect(generous.mail(catastrophicSubject(12)) == .accept)
        #expect(failures == 0)
        let strict = SessionEvaluator(ruleSet: set)
        strict.onLimitExceeded = { _, _ in failures += 1 }
        #expect(strict.mail(catastrophicSubject(12)) == .accept)
        #expect(failures == 1)
    }
}

@Suite("Session evaluator: hit counters")
struct HitCounterTests {
    let rules = """
        mail /@spam\\./ reject
        mail /./ accept
        rcpt /^x/ reject
        dataline /spam/ reject
        """

    @Test func countsDecisionsAcrossSessions() throws {
        let set = try ruleSet(rules)
        let first = SessionEvaluator(ruleSet: set)
        let second = SessionEvaluator(ruleSet: set)
        _ = first.mail("a@spam.example")
        _ = first.mail("b@ok.example")
        _ = second.mail("c@spam.net")
        _ = second.rcpt("ok@example.org")
        #expect(set.hits.snapshot == [2, 1, 0, 0])
        // A refused message counts once, however many lines would match.
        _ = first.message(["", "spam", "spam again"])
        #expect(set.hits.snapshot == [2, 1, 0, 1])
        let report = set.hitReport
        #expect(report.map(\.hits) == [2, 1, 0, 1])
        #expect(report.map(\.rule.location.line) == [1, 2, 3, 4])
    }

    @Test func countersRecordByIndex() {
        let counters = HitCounters(count: 3)
        counters.record(2)
        counters.record(2)
        counters.record(0)
        #expect(counters.snapshot == [1, 0, 2])
        #expect(HitCounters(count: 2, initial: [5, 7]).snapshot == [5, 7])
    }

    @Test func countsCarryOverToIdenticalRules() throws {
        let old = try ruleSet(rules)
        let evaluator = SessionEvaluator(ruleSet: old)
        _ = evaluator.mail("a@spam.example")
        _ = evaluator.mail("b@ok.example")
        _ = evaluator.mail("c@ok.example")
        let reordered = "rcpt /^new/ reject\nmail /./ accept\nmail /@spam\\./ reject 553\n"
        let new = try RuleSetLoader.compile(text: reordered, file: "e.conf", carryingHitsFrom: old)
        // `mail /./ accept` keeps its 2 hits; the changed spam rule starts from zero.
        #expect(new.hits.snapshot == [0, 2, 0])
    }

    @Test func legacyExceptionsCountPerLine() throws {
        let set = try ruleSet("dataline ! ^X-\ndataline viagra\n")
        #expect(set.file.format == .legacyFilterRegex)
        _ = SessionEvaluator(ruleSet: set).message(["X-A: viagra", "X-B: viagra", "", "ham"])
        #expect(set.hits.snapshot == [2, 0])
    }
}

@Suite("Session evaluator: filter-regex files")
struct LegacyEvaluationTests {
    let rules = #"""
        connect ! ^mx\.example\.org$
        connect \.example\.org$
        mail ^spammer@
        dataline ! ^X-Trusted:
        dataline viagra
        """#

    @Test func exceptionsAcceptAndMatchesReject() throws {
        let exception = try session(rules).connect(address: "192.0.2.1", hostname: "mx.example.org")
        #expect(exception.verdict == .accept)
        #expect(ruleLine(exception) == 1)
        let hostname = try session(rules).connect(address: "192.0.2.1", hostname: "relay.example.org")
        #expect(hostname.verdict == .reject)
        #expect(hostname.reply == Reply(code: 554, text: "5.7.1 Hostname rejected"))
        let sender = try session(rules).mail("spammer@example.net")
        #expect(sender.reply == Reply(code: 554, text: "5.7.1 Sender rejected"))
    }

    @Test func datalineExceptionCoversOnlyItsLine() throws {
        #expect(try session(rules).message(["X-Trusted: viagra", "", "hello"]) == .accept)
        let decision = try session(rules).message(["X-Trusted: yes", "", "viagra"])
        #expect(decision.verdict == .disconnect)
        #expect(decision.reply == Reply(code: 554, text: "5.7.1 Message content rejected"))
        #expect(ruleLine(decision) == 5)
    }
}

@Suite("Session evaluator: compiled rule sets")
struct CompiledRuleSetTests {
    @Test func matchersPerStage() throws {
        let set = try ruleSet("mail /a/ reject\nmail /b/ reject\naddr ::1 accept\nbody /c/ reject\n")
        #expect(set.ruleCount(of: .mail) == 2)
        #expect(set.ruleCount(of: .addr) == 1)
        #expect(set.ruleCount(of: .helo) == 0)
        #expect(set.matcher(for: .helo) == nil)
        #expect(set.matcher(for: .mail)?.rules.map(\.index) == [0, 1])
        #expect(set.matcher(for: .body)?.rules.map(\.index) == [3])
        #expect(set.hasMessageRules)
        #expect(try !ruleSet("mail /a/ reject").hasMessageRules)
    }
}
