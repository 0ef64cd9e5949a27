import Foundation
import TestSupport
import Testing
@testable import FilterRules

/// A new session evaluated with the rules of `text` (file `c.conf`).
private func session(_ text: String) throws -> SessionEvaluator { try rulesSession(text, file: "c.conf") }

/// The line of the rule that decided, nil when none did.
private func line(_ decision: Decision) -> Int? { decision.rule?.location.line }

extension SessionEvaluator {
    /// DATA, `lines`, the final dot.
    fileprivate func message(_ lines: [String]) -> Decision {
        _ = data()
        for text in lines { dataLine(Array(text.utf8)) }
        return endOfMessage()
    }
}

@Suite("Evaluator: combined conditions, three-valued, at every point")
struct ConditionEvaluatorTests {
    @Test func orFiresAtTheEarlierStageAndAtTheLater() throws {
        let rules = "helo /^bad$/ or mail /@bad\\.example$/ reject\n"
        let early = try session(rules)
        #expect(early.helo("bad").verdict == .reject)
        let late = try session(rules)
        #expect(late.helo("good").isAccept)
        #expect(line(late.mail("x@bad.example")) == 1)
        #expect(late.mail("x@good.example").isAccept)
    }

    @Test func andFiresAtTheLaterStageWithItsDefaultReply() throws {
        let evaluator = try session("helo /^bad$/ and rcpt /^sales@/ reject\n")
        #expect(evaluator.helo("bad").isAccept, "unknown until RCPT")
        #expect(evaluator.mail("a@example.org").isAccept)
        let refused = evaluator.rcpt("sales@example.org")
        #expect(refused.verdict == .reject)
        #expect(refused.reply?.text == "5.7.1 Recipient rejected by policy", "the default text of the stage it decides at")
        #expect(evaluator.rcpt("other@example.org").isAccept)
        #expect(evaluator.rcpt("sales@example.org").verdict == .reject, "each recipient is its own point")
    }

    @Test func aRuleTrueAtHeloDoesNotFireAgainLater() throws {
        let evaluator = try session("helo /^x$/ or rcpt /^y@/ warn\n")
        #expect(evaluator.helo("x").marks.count == 1)
        #expect(evaluator.mail("a@example.org").marks.isEmpty)
        #expect(evaluator.rcpt("y@example.org").marks.isEmpty, "already true before this recipient")
    }

    @Test func notIsUnknownUntilItsStageAndFileOrderDecides() throws {
        let evaluator = try session(
            """
            mail /@spam\\.example$/ and not rcpt /^postmaster@/ reject 550 "5.7.1 not for $0"
            rcpt /./ tempfail
            """)
        _ = evaluator.helo("mx")
        #expect(evaluator.mail("a@spam.example").isAccept, "the rcpt term is unknown at MAIL")
        let first = evaluator.rcpt("bob@example.org")
        #expect(line(first) == 1, "the combined rule comes first in the file")
        #expect(first.reply?.text == "5.7.1 not for @spam.example", "captures of the last regex term that matched")
        #expect(line(evaluator.rcpt("postmaster@example.org")) == 2)
    }

    @Test func messageTermsAreTrueOnceALineMatchedAndDecideAtTheEnd() throws {
        let evaluator = try session("rcpt /^sales@/ and body /wire transfer/i reject 554 \"5.7.1 fraud\"\n")
        _ = evaluator.helo("mx")
        _ = evaluator.mail("a@example.org")
        _ = evaluator.rcpt("sales@example.org")
        _ = evaluator.rcpt("other@example.org")
        let refused = evaluator.message(["Subject: x", "", "hello", "a WIRE TRANSFER now", "bye"])
        #expect(refused.verdict == .reject && refused.matchedInput?.messageLine == 4)
        // The next transaction has no sales recipient: the same body passes.
        _ = evaluator.mail("a@example.org")
        _ = evaluator.rcpt("other@example.org")
        #expect(evaluator.message(["", "a wire transfer"]).isAccept)
        // A refused recipient does not count for the transaction.
        let strict = try session("rcpt /^sales@/ reject\nrcpt /^sales@/ and body /x/ tempfail\n")
        _ = strict.mail("a@example.org")
        #expect(strict.rcpt("sales@example.org").verdict == .reject)
        _ = strict.rcpt("b@example.org")
        #expect(strict.message(["", "x"]).isAccept)
    }

    @Test func combinedTermsSeeDecodedContent() throws {
        let evaluator = try session(
            """
            rcpt /^sales@/ and header subject /you have won/i reject 554 "5.7.1 prize"
            mail /@partner\\.example$/ and attachment /\\.exe$/i tempfail
            """)
        _ = evaluator.mail("a@example.org")
        _ = evaluator.rcpt("sales@example.org")
        let prize = evaluator.message(["Subject: =?UTF-8?B?WW91IGhhdmUgd29uIQ==?=", "", "hello"])
        #expect(prize.verdict == .reject && line(prize) == 1)
        _ = evaluator.mail("x@partner.example")
        _ = evaluator.rcpt("b@example.org")
        let attached = evaluator.message([
            "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=\"b\"", "", "--b", "Content-Type: text/plain", "",
            "see attached", "--b", "Content-Type: application/octet-stream", "Content-Disposition: attachment; filename=\"setup.EXE\"",
            "", "AAAA", "--b--",
        ])
        #expect(attached.verdict == .tempfail && line(attached) == 2)
    }

    @Test func aNegatedMessageTermIsDecidedAtTheEndOfTheMessage() throws {
        let evaluator = try session("mail /^newsletter@/ and not header list-unsubscribe /./ junk\n")
        _ = evaluator.mail("newsletter@example.org")
        let tagged = evaluator.message(["Subject: news", "", "body"])
        #expect(tagged.edits?.junk == .content)
        _ = evaluator.mail("newsletter@example.org")
        #expect(evaluator.message(["List-Unsubscribe: <mailto:x@example.org>", "", "body"]).edits == nil)
    }

    @Test func sessionFactsAreUnknownUntilReportedAndFinalAtMail() throws {
        let rules = """
            auth /^bob$/ accept session
            not auth /./ and fcrdns /^fail$/ and mail /@example\\.org$/ reject 550 "5.7.1 unauthenticated and no FCrDNS"
            tls /^TLSv1\\.3:/ and mail /^secure@/ add-header "X-TLS: 1.3"
            """
        let anonymous = try session(rules)
        #expect(anonymous.connect(address: "192.0.2.1", hostname: "h.example", fcrdns: "fail").isAccept)
        #expect(anonymous.helo("h.example").isAccept)
        let refused = anonymous.mail("x@example.org")
        #expect(refused.verdict == .reject && line(refused) == 2)

        let bob = try session(rules)
        _ = bob.connect(address: "192.0.2.1", hostname: "h.example", fcrdns: "fail")
        _ = bob.helo("h.example")
        bob.authenticated(user: "bob", result: "pass")
        let accepted = bob.mail("x@example.org")
        #expect(accepted.isAccept && line(accepted) == 1)
        #expect(bob.rcpt("anyone@example.net").reason == "accept session")

        let failed = try session(rules)
        _ = failed.connect(address: "192.0.2.1", hostname: "h.example", fcrdns: "fail")
        failed.authenticated(user: "bob", result: "fail")
        #expect(failed.mail("x@example.org").verdict == .reject, "only a pass authenticates")

        let tls = try session(rules)
        _ = tls.connect(address: "192.0.2.1", hostname: "h.example", fcrdns: "pass")
        tls.tls("TLSv1.3:TLS_AES_256_GCM_SHA384:256")
        _ = tls.helo("h.example")
        #expect(tls.mail("secure@example.net").marks.map(\.description) == [#"add-header "X-TLS: 1.3""#])
    }

    @Test("a session fact reported during a transaction counts from the next MAIL FROM, as the manual says")
    func sessionFactsAreFinalAtEachMail() throws {
        let evaluator = try session(
            """
            not auth /./ and rcpt /@relay\\.example$/ reject 550 "5.7.1 Relaying denied"
            auth /^mallory$/ and rcpt /./ reject 550 "5.7.1 Account locked"
            """)
        _ = evaluator.helo("h.example")
        #expect(evaluator.mail("a@example.org").isAccept)
        evaluator.authenticated(user: "mallory", result: "pass")
        let during = evaluator.rcpt("b@relay.example")
        #expect(during.verdict == .reject && line(during) == 1, "auth was final (empty) at this transaction's MAIL FROM")
        evaluator.reset()
        #expect(evaluator.mail("a@example.org").isAccept)
        let next = evaluator.rcpt("b@elsewhere.example")
        #expect(next.verdict == .reject && line(next) == 2, "the report counts from the next MAIL FROM")
    }

    @Test func sessionFactsPersistAndTransactionTermsReset() throws {
        let evaluator = try session("helo /^x$/ and mail /^a@/ and rcpt /^b@/ reject\n")
        _ = evaluator.helo("x")
        _ = evaluator.mail("a@example.org")
        #expect(evaluator.rcpt("b@example.org").verdict == .reject)
        evaluator.reset()
        _ = evaluator.mail("c@example.org")
        #expect(evaluator.rcpt("b@example.org").isAccept, "the sender of the new transaction does not match")
        _ = evaluator.mail("a@example.org")
        #expect(evaluator.rcpt("b@example.org").verdict == .reject, "HELO persists")
    }

    @Test func plainAndCombinedRulesKeepFileOrder() throws {
        let evaluator = try session(
            """
            rcpt /^a@/ warn
            helo /^x$/ and rcpt /^a@/ add-header "X-A: yes"
            rcpt /^a@/ tempfail
            helo /^x$/ and rcpt /./ reject
            """)
        _ = evaluator.helo("x")
        _ = evaluator.mail("m@example.org")
        let decision = evaluator.rcpt("a@example.org")
        #expect(decision.marks.map(\.rule.location.line) == [1, 2])
        #expect(line(decision) == 3)
        #expect(line(evaluator.rcpt("z@example.org")) == 4)
    }
}

@Suite("List files: every entry form, case, addresses, size")
struct ListMatchingTests {
    private func list(_ entries: [String], addresses: Bool = false) -> ListMatcher {
        var matcher = ListMatcher()
        for entry in entries { #expect(matcher.add(entry, forAddresses: addresses) == nil) }
        return matcher
    }

    private func has(_ list: ListMatcher, _ value: String) -> Bool {
        list.contains(Array(value.utf8), address: IPAddress(value))
    }

    @Test func valuesDomainsAndSubdomains() {
        let senders = list(["user@example.com", "@evil.example", ".bad.example", "mx.helo.example", "Spam Subject"])
        #expect(has(senders, "USER@Example.COM") && has(senders, "<user@example.com>"))
        #expect(!has(senders, "other@example.com"))
        #expect(has(senders, "anyone@evil.example") && !has(senders, "anyone@sub.evil.example"))
        #expect(has(senders, "x@bad.example") && has(senders, "x@a.b.bad.example") && has(senders, "mail.bad.example"))
        #expect(has(senders, "bad.example"), "the domain itself")
        #expect(!has(senders, "x@notbad.example") && !has(senders, "x@bad.example.net"))
        #expect(has(senders, "MX.Helo.Example") && !has(senders, "helo.example"))
        #expect(has(senders, "spam subject"))
    }

    @Test func addressesAndBlocksBothFamilies() {
        let networks = list(["192.0.2.7", "198.51.100.0/24", "2001:db8:1::/48", "2001:db8::5"], addresses: true)
        #expect(has(networks, "192.0.2.7") && !has(networks, "192.0.2.8"))
        #expect(has(networks, "198.51.100.250") && !has(networks, "198.51.101.1"))
        #expect(has(networks, "2001:db8:1:ffff::1") && !has(networks, "2001:db8:2::1"))
        #expect(has(networks, "2001:DB8::5"))
        #expect(has(networks, "::ffff:198.51.100.3"), "an IPv4-mapped address matches IPv4 blocks")
        var bad = ListMatcher()
        #expect(bad.add("10.0.0.0/33", forAddresses: true) == "prefix length 33 out of range 0-32")
    }

    @Test func aHundredThousandEntriesAreFoundByHashing() {
        var big = ListMatcher()
        for index in 0..<100_000 { _ = big.add("user\(index)@domain\(index % 977).example", forAddresses: false) }
        for index in 0..<50_000 { _ = big.add(".zone\(index).example", forAddresses: false) }
        #expect(big.count == 150_000)
        #expect(has(big, "user99999@domain\(99_999 % 977).example"))
        #expect(has(big, "x@deep.sub.zone49999.example"))
        #expect(!has(big, "user100000@domain0.example"))
    }
}
