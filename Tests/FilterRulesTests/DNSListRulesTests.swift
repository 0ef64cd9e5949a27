import DNSLists
@testable import FilterRules
import Testing
import TestSupport

/// `dnslist` declarations, `set resolver`, and `listed NAME` terms: how they read, what is
/// refused and where, and how the evaluator decides on the results it is given.
@Suite("Rules: DNS lists")
struct DNSListRulesTests {
    static let policy = """
        dnslist zen zen.spamhaus.org 127.0.0.2-127.0.0.11
        dnslist dbl dbl.spamhaus.org 127.0.1.0/24
        dnslist wl list.dnswl.org
        set resolver 127.0.0.1:5353 [::1]:53
        addr listed wl accept session
        addr listed zen reject 554 "5.7.1 Listed in Spamhaus ZEN"
        helo listed dbl and not addr 10.0.0.0/8 reject 550 "5.7.1 HELO name listed"
        mail ! listed dbl accept
        mail /./ tempfail 451 "4.7.1 Sender domain listed"

        """

    @Test("declarations and the resolver are read; each stage knows its lists")
    func declarations() throws {
        let set = try RuleSetLoader.compile(text: Self.policy, file: "dns.rules")
        #expect(set.options.dnsLists.map(\.list.name) == ["zen", "dbl", "wl"])
        #expect(set.options.dnsLists[0].list.codes.description == "127.0.0.2-127.0.0.11")
        #expect(set.options.dnsLists[2].list.codes == .loopbackBlock)
        #expect(set.options.dnsLists[1].location.description == "dns.rules:2:1")
        #expect(set.options.resolver.map(\.description) == ["127.0.0.1:5353", "[::1]:53"])
        #expect(set.dnsLists(at: .addr).map(\.name) == ["wl", "zen"])
        #expect(set.dnsLists(at: .helo).map(\.name) == ["dbl"])
        #expect(set.dnsLists(at: .mail).map(\.name) == ["dbl"])
        #expect(set.dnsLists(at: .connect).isEmpty)
        // A rule on a DNS list is decided as a combined rule.
        #expect(set.rules.allSatisfy { !$0.isPlain } == false)
        #expect(set.combinedRules.count == 4)
    }

    @Test("the evaluator decides on the results it is given; no result is not a listing")
    func evaluation() throws {
        let zen = DNSListResult.listed(codes: [0x7f00_0002], text: nil)
        // Listed in zen: refused with the list's reply.
        var session = try rulesSession(Self.policy, file: "dns.rules")
        session.setListings(["zen": zen, "wl": .notListed], for: .addr)
        var decision = session.connect(address: "192.0.2.99", hostname: "mx.example")
        #expect(decision.verdict == .reject && decision.reply?.text == "5.7.1 Listed in Spamhaus ZEN")
        // Whitelisted as well: accepted for the whole session, first rule wins.
        session = try rulesSession(Self.policy, file: "dns.rules")
        session.setListings(["zen": zen, "wl": .listed(codes: [0x7f00_0a00], text: nil)], for: .addr)
        #expect(session.connect(address: "192.0.2.99", hostname: "mx.example").isAccept)
        session.setListings(["dbl": .listed(codes: [0x7f00_0102], text: nil)], for: .helo)
        #expect(session.helo("spam.example").isAccept)
        // A lookup that failed, or none at all: not listed, the mail flows.
        session = try rulesSession(Self.policy, file: "dns.rules")
        session.setListings(["zen": .unknown(.failed(.timeout)), "wl": .unknown(.suspended)], for: .addr)
        #expect(session.connect(address: "192.0.2.99", hostname: "mx.example").isAccept)
        decision = session.helo("spam.example")
        #expect(decision.isAccept)
        // HELO listed, and not from 10/8; the sender's domain not listed: accepted at MAIL.
        session.setListings(["dbl": .listed(codes: [0x7f00_0102], text: nil)], for: .helo)
        decision = session.helo("spam.example")
        #expect(decision.verdict == .reject && decision.reply?.text == "5.7.1 HELO name listed")
        session = try rulesSession(Self.policy, file: "dns.rules")
        _ = session.connect(address: "192.0.2.1", hostname: "mx.example")
        _ = session.helo("mx.example")
        session.setListings(["dbl": .notListed], for: .mail)
        #expect(session.mail("a@clean.example").isAccept)
        session.setListings(["dbl": .listed(codes: [0x7f00_0102], text: nil)], for: .mail)
        decision = session.mail("a@spam.example")
        #expect(decision.verdict == .tempfail && decision.reply?.text == "4.7.1 Sender domain listed")
    }

    @Test("$txt is the TXT record of the listing that made the rule true, sanitised; warned where it is always empty")
    func listText() throws {
        let rules = """
            dnslist zen zen.example
            addr listed zen and not addr 10.0.0.0/8 reject 554 "5.7.1 Listed, see $txt ($$5)"
            helo /x/ reject 550 "5.7.1 $txt"

            """
        let set = try RuleSetLoader.compile(text: rules, file: "t.rules")
        #expect(set.wantsText(set.options.dnsLists[0].list))
        #expect(set.warnings.map(\.description) == ["t.rules:3:1: warning: $txt is always empty here: no term of the rule is 'listed NAME' (not negated)"])
        let session = SessionEvaluator(ruleSet: set)
        session.setListings(["zen": .listed(codes: [0x7f00_0002], text: "https://check.example/?ip=192.0.2.99\r\nX-Evil: 1")], for: .addr)
        let decision = session.connect(address: "192.0.2.99", hostname: "mx.example")
        #expect(decision.reply?.text == "5.7.1 Listed, see https://check.example/?ip=192.0.2.99??X-Evil: 1 ($5)")
        // Listed without a TXT record: $txt is empty.
        let other = SessionEvaluator(ruleSet: set)
        other.setListings(["zen": .listed(codes: [0x7f00_0002], text: nil)], for: .addr)
        #expect(other.connect(address: "192.0.2.99", hostname: "mx.example").reply?.text == "5.7.1 Listed, see  ($5)")
    }

    @Test("on-failure tempfail: a rule that cannot be decided for a failed lookup answers tempfail where it stands")
    func tempfailOnFailure() throws {
        let rules = """
            dnslist zen zen.example 127.0.0.2 on-failure tempfail
            dnslist wl wl.example on-failure pass
            addr 10.0.0.0/8 accept session
            addr listed zen or helo /spam/ reject 554 "5.7.1 Listed"
            addr listed wl reject 550 "5.7.1 Never"

            """
        let set = try RuleSetLoader.compile(text: rules, file: "f.rules")
        #expect(set.options.dnsLists.map(\.list.tempfailsOnFailure) == [true, false])
        let failed = DNSListResult.unknown(.failed(.timeout))
        // Not checked: tempfail, with the rule and why.
        var session = SessionEvaluator(ruleSet: set)
        session.setListings(["zen": failed, "wl": failed], for: .addr)
        let decision = session.connect(address: "192.0.2.1", hostname: "h.example")
        #expect(decision.verdict == .tempfail && decision.reply == DefaultReplies.listUnchecked)
        #expect(decision.rule?.location.line == 4)
        #expect(decision.reason == "DNS list zen could not be checked (timeout)")
        // An earlier rule still decides first.
        session = SessionEvaluator(ruleSet: set)
        session.setListings(["zen": failed, "wl": failed], for: .addr)
        #expect(session.connect(address: "10.1.2.3", hostname: "h.example").isAccept)
        // Checked and not listed: the rule is false, nothing deferred; a list that passes on failure never defers.
        session = SessionEvaluator(ruleSet: set)
        session.setListings(["zen": .notListed, "wl": failed], for: .addr)
        #expect(session.connect(address: "192.0.2.1", hostname: "h.example").isAccept)
        for (text, expected) in [
            (
                "dnslist zen z.example on-failure maybe\n",
                "e.rules:1:34: expected tempfail or pass after on-failure (what a step that cannot check list zen answers)"
            ),
            ("dnslist zen z.example on-failure tempfail 127.0.0.2\n", "e.rules:1:23: on-failure comes last, followed by tempfail or pass"),
        ] {
            do {
                _ = try RuleSetLoader.compile(text: text, file: "e.rules")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.diagnostics.map(\.description).first == expected, "\(text)")
            }
        }
    }

    @Test("what a stage's term looks up: the address, a domain, the sender's domain (none for <>)")
    func subjects() {
        #expect(DNSListDeclaration.subject(at: .addr, "192.0.2.1") == .address("192.0.2.1"))
        #expect(DNSListDeclaration.subject(at: .helo, "mx.example") == .domain("mx.example"))
        #expect(DNSListDeclaration.subject(at: .connect, "mx.example") == .domain("mx.example"))
        #expect(DNSListDeclaration.subject(at: .mail, "a@b@spam.example") == .domain("spam.example"))
        #expect(DNSListDeclaration.subject(at: .mail, "") == nil)
        #expect(DNSListDeclaration.subject(at: .rcpt, "a@b.example") == nil)
    }

    @Test("mistakes are reported at their place with what to write")
    func diagnostics() {
        let cases: [(String, String)] = [
            ("dnslist\n", "d.rules:1:8: expected the list's name and zone, e.g. dnslist zen zen.spamhaus.org 127.0.0.2-127.0.0.11"),
            ("dnslist 9z zen.example\n", "d.rules:1:9: bad list name '9z': use letters, digits, '-' and '_', starting with a letter"),
            ("dnslist zen\n", "d.rules:1:12: expected the zone of list zen after its name, e.g. zen.spamhaus.org"),
            ("dnslist zen zen.example.\n", "d.rules:1:13: bad zone 'zen.example.' for list zen: expected a DNS name such as zen.spamhaus.org (no final dot)"),
            (
                "dnslist zen zen.example 127.0.0.2 127.0.1.1/24\n",
                "d.rules:1:35: the block '127.0.1.1/24' has bits set past its prefix length; write 127.0.1.0/24"
            ),
            (
                "dnslist zen zen.example 127.0.0\n",
                "d.rules:1:25: '127.0.0' in the code '127.0.0' is not an IPv4 address (codes are written 127.0.0.2, 127.0.0.2-127.0.0.11 or 127.0.1.0/24)"
            ),
            (
                "addr listed zen reject\n",
                "d.rules:1:13: no DNS list named zen: declare it with 'dnslist zen ZONE [CODES...]', e.g. dnslist zen zen.spamhaus.org"
            ),
            (
                "dnslist zen a.example\ndnslist zen b.example\naddr listed zen reject\n",
                "d.rules:2:1: list zen is declared twice (first at d.rules:1); give each list its own name"
            ),
            (
                "dnslist zen a.example\nrcpt listed zen reject\n",
                "d.rules:2:6: 'listed' looks up the client address (addr), its host name (connect), the HELO name (helo), the sender's domain (mail), a header's domains (header NAME) or the message's links (body links), not rcpt"
            ),
            (
                "dnslist zen a.example\naddr listed reject\n",
                "d.rules:2:13: expected the name of a list declared with 'dnslist NAME ZONE' after 'listed', found reject"
            ),
            (
                "set resolver localhost\n",
                "d.rules:1:14: bad resolver 'localhost', expected an address with an optional port: 127.0.0.1, 127.0.0.1:5353 or [::1]:53"
            ),
        ]
        for (text, expected) in cases {
            do {
                _ = try RuleSetLoader.compile(text: text, file: "d.rules")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.diagnostics.map(\.description).first == expected, "\(text)")
            }
        }
    }
}
