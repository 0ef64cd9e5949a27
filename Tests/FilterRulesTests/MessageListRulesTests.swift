import DNSLists
@testable import FilterRules
import Testing
import TestSupport

/// `header NAME listed LIST` and `body links listed LIST`: the domains a message names,
/// which lookups the evaluator asks for (in order, each once, bounded), and how the terms
/// decide at the end of the message on the results they are given.
@Suite("Rules: DNS lists on the message")
struct MessageListRulesTests {
    static let listed = DNSListResult.listed(codes: [0x7f00_0102], text: "https://check.example/dbl")

    /// A session through envelope and DATA, its lookups recorded as the evaluator asks for them.
    static func session(_ rules: String) throws -> (SessionEvaluator, LookupLog) {
        let session = try rulesSession(rules, file: "m.rules")
        let log = LookupLog()
        session.onMessageLookup = { log.asked.append($0) }
        _ = session.connect(address: "192.0.2.1", hostname: "mx.example")
        _ = session.helo("mx.example")
        _ = session.mail("a@sender.example")
        _ = session.rcpt("b@rcpt.example")
        _ = session.data()
        return (session, log)
    }

    final class LookupLog {
        var asked: [MessageLookup] = []
    }

    static func feed(_ session: SessionEvaluator, _ lines: [String]) {
        for line in lines { session.dataLine(Array(line.utf8)) }
    }

    static let message = [
        "From: \"Alice Example\" <alice@Mail.Sender.example>",
        "To: bob@rcpt.example, carol@other.example",
        "Subject: offer",
        "Content-Type: text/plain",
        "",
        "See https://user:pw@WWW.Shop.example:8443/x?y=1 or www.second.example/path,",
        "and http://192.0.2.7/ or http://[2001:db8::1]/ and https://xn--bcher-kva.example.",
        "again https://www.shop.example/other",
    ]

    @Test("header and body links terms read; what they look up is reported per stage and header")
    func parsing() throws {
        let set = try RuleSetLoader.compile(
            text: """
                dnslist dbl dbl.example 127.0.1.0/24
                dnslist uri uri.example
                header From listed dbl reject
                header Reply-To ! listed dbl and body links listed uri junk
                set dnslist-domains 5

                """, file: "p.rules")
        #expect(set.dnsLists(forHeader: Array("from".utf8)).map(\.name) == ["dbl"])
        #expect(set.dnsLists(forHeader: Array("reply-to".utf8)).map(\.name) == ["dbl"])
        #expect(set.dnsLists(at: .body).map(\.name) == ["uri"])
        #expect(set.looksUpMessageDomains)
        #expect(set.options.dnsListDomains == 5)
        #expect(set.holdsMessages)
        let plain = try RuleSetLoader.compile(text: "dnslist dbl dbl.example\nhelo listed dbl reject\n", file: "p.rules")
        #expect(!plain.looksUpMessageDomains)
        #expect(plain.options.dnsListDomains == RuleOptions.defaultDNSListDomains)
        for (text, expected) in [
            (
                "dnslist dbl d.example\nheader listed dbl reject\n",
                "e.rules:2:8: 'listed' at header looks up the domains of one header's addresses: name the header, e.g. header From listed dbl"
            ),
            (
                "dnslist dbl d.example\nbody listed dbl reject\n",
                "e.rules:2:6: 'listed' at body looks up the domains of the message's links: write body links listed NAME"
            ),
            (
                "dnslist dbl d.example\nattachment listed dbl reject\n",
                "e.rules:2:12: 'listed' looks up the client address (addr), its host name (connect), the HELO name (helo), the sender's domain (mail), a header's domains (header NAME) or the message's links (body links), not attachment"
            ),
            (
                "body links listed dbl reject\n",
                "e.rules:1:19: no DNS list named dbl: declare it with 'dnslist dbl ZONE [CODES...]', e.g. dnslist dbl zen.spamhaus.org"
            ),
            ("set dnslist-domains 0\n", "e.rules:1:21: bad value '0' for dnslist-domains, expected a number of domains from 1 to 1000"),
        ] {
            do {
                _ = try RuleSetLoader.compile(text: text, file: "e.rules")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.diagnostics.map(\.description).first == expected, "\(text)")
            }
        }
    }

    @Test("the domains of a header's addresses and of a text's links")
    func domains() {
        func header(_ text: String) -> [String] { MessageDomains.ofHeader(ArraySlice(text.utf8)) }
        #expect(header("\"A @ B\" <a@Example.COM>, b@sub.example.org.") == ["example.com", "sub.example.org"])
        #expect(header("<id.123@mx.example.net>") == ["mx.example.net"])
        #expect(header("a@[192.0.2.1], b@localhost, c@192.0.2.1") == [])
        #expect(header("  bare.example  ") == ["bare.example"])
        #expect(header("no domain here") == [])
        func links(_ text: String) -> [String] { MessageDomains.ofLinks(in: Array(text.utf8)) }
        #expect(links("<a href=\"HTTPS://Evil.Example/x\">www.b.example</a>") == ["evil.example", "www.b.example"])
        #expect(links("http://u@h.example:80/ https://x.example&quot; http://a.example\\b") == ["h.example", "x.example", "a.example"])
        #expect(links("http://192.0.2.1/ https://[::1]/ http://bücher.example/ https:/x.example http://") == [])
        #expect(links("notwww.x.example swww.y.example (www.z.example)") == ["www.z.example"])
    }

    @Test("lookups are asked for as the domains come, each once, the first N distinct domains, headers first")
    func requests() throws {
        let rules = """
            dnslist dbl dbl.example 127.0.1.0/24
            dnslist uri uri.example
            header From listed dbl reject
            header To listed dbl reject
            body links listed dbl or body links listed uri reject
            set dnslist-domains 4

            """
        let (session, log) = try Self.session(rules)
        Self.feed(session, Array(Self.message.prefix(5)))
        #expect(log.asked.map(\.description) == ["dbl mail.sender.example", "dbl rcpt.example", "dbl other.example"])
        Self.feed(session, Array(Self.message.dropFirst(5)))
        session.finishMessageContent()
        // The fourth distinct domain is the last: www.second.example and the rest are not looked up.
        #expect(
            log.asked.map(\.description) == [
                "dbl mail.sender.example", "dbl rcpt.example", "dbl other.example", "dbl www.shop.example", "uri www.shop.example",
            ])
        #expect(session.messageLookups.map(\.origin) == ["header from", "header to", "header to", "body links", "body links"])
        #expect(session.awaitsMessageLookups)
        // Nothing listed: the message is accepted.
        session.setMessageListings(Dictionary(uniqueKeysWithValues: log.asked.map { ($0, DNSListResult.notListed) }))
        #expect(session.endOfMessage().isAccept)
    }

    @Test("a listed domain decides at the end of the message, with $txt; not listed, negated, unknown")
    func decisions() throws {
        let rules = """
            dnslist dbl dbl.example 127.0.1.0/24
            dnslist uri uri.example on-failure tempfail
            header From listed dbl reject 550 "5.7.1 Sender domain listed: $txt"
            body links listed uri reject 554 "5.7.1 Link listed"
            header Reply-To ! listed dbl and header Reply-To /./ add-header "X-Reply-To: clean"

            """
        // The From domain listed: refused with the listing's text.
        var (session, log) = try Self.session(rules)
        Self.feed(session, Self.message)
        session.finishMessageContent()
        var results = Dictionary(uniqueKeysWithValues: log.asked.map { ($0, DNSListResult.notListed) })
        results[MessageLookup(list: log.asked[0].list, domain: "mail.sender.example", wantsText: true)] = Self.listed
        session.setMessageListings(results)
        var decision = session.endOfMessage()
        #expect(decision.verdict == .reject && decision.reply?.text == "5.7.1 Sender domain listed: https://check.example/dbl")
        #expect(decision.rule?.location.line == 3)
        // A link whose list could not be checked, on a list that tempfails: 451.
        (session, log) = try Self.session(rules)
        Self.feed(session, Self.message)
        session.finishMessageContent()
        results = Dictionary(uniqueKeysWithValues: log.asked.map { ($0, DNSListResult.notListed) })
        #expect(log.asked.contains { $0.domain == "www.second.example" })
        results[MessageLookup(list: log.asked[1].list, domain: "www.second.example", wantsText: false)] = .unknown(.failed(.timeout))
        session.setMessageListings(results)
        decision = session.endOfMessage()
        #expect(decision.verdict == .tempfail && decision.reason == "DNS list uri could not be checked (timeout)")
        // A negated term on a header the message has, not listed: true at the end only.
        (session, log) = try Self.session(rules)
        Self.feed(session, ["From: a@clean.example", "Reply-To: r@reply.example", "", "no links"])
        session.finishMessageContent()
        session.setMessageListings(Dictionary(uniqueKeysWithValues: log.asked.map { ($0, DNSListResult.notListed) }))
        decision = session.endOfMessage()
        #expect(decision.isAccept && decision.edits?.headerLines() == ["X-Reply-To: clean"])
        // Without results (the engine gave none): nothing is a listing.
        (session, log) = try Self.session(rules)
        Self.feed(session, Self.message)
        #expect(session.endOfMessage().isAccept)
    }

    @Test("a message's listings add to the score before the rules on the final score are tried")
    func scores() throws {
        let rules = """
            dnslist dbl dbl.example 127.0.1.0/24
            header Subject /offer/ score 2.5
            body links listed dbl score 3
            score >= 5 add-header "X-Spam-Score: $score ($symbols)"
            score >= 5 junk

            """
        let (session, log) = try Self.session(rules)
        Self.feed(session, Self.message)
        session.finishMessageContent()
        var results = Dictionary(uniqueKeysWithValues: log.asked.map { ($0, DNSListResult.notListed) })
        results[MessageLookup(list: log.asked[0].list, domain: "www.second.example", wantsText: false)] = Self.listed
        session.setMessageListings(results)
        let decision = session.endOfMessage()
        #expect(decision.isAccept)
        #expect(decision.score?.total == Score("5.5"))
        #expect(decision.isJunk)
        #expect(decision.edits?.headerLines() == ["X-Spam: Yes", "X-Spam-Score: 5.5 (m.rules:2(2.5), m.rules:3(3))"])
    }
}
