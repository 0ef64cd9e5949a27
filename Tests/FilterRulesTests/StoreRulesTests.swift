import Foundation
@testable import FilterRules
import RuleStores
import Synchronization
import Testing
import TestSupport

/// `limit`, `over`, `dynlist`, `in`, `add-to` and `remove-from`: how they read, what is
/// refused and where, and what sessions sharing one store see, on a clock the test moves.
@Suite("Rules: limits and dynamic lists")
struct StoreRulesTests {
    /// A clock a test moves, in milliseconds since the epoch.
    final class TestClock: Sendable {
        private let value = Mutex<Int64>(1_800_000_000_000)
        var now: Int64 { value.withLock { $0 } }
        func advance(_ milliseconds: Int64) { value.withLock { $0 += milliseconds } }
    }

    /// Sessions on `rules` sharing one store on `clock`.
    struct Sessions {
        let set: CompiledRuleSet
        let access: RuleStoreAccess

        init(_ rules: String, clock: TestClock) throws {
            set = try RuleSetLoader.compile(text: rules, file: "s.rules")
            access = RuleStoreAccess(store: MemoryStore(logger: .quiet), now: { clock.now })
        }

        /// A session connected from `address` that said HELO and MAIL FROM.
        func session(from address: String, sender: String = "a@sender.example") -> (SessionEvaluator, Decision) {
            let session = SessionEvaluator(ruleSet: set, stores: access)
            let connect = session.connect(address: address, hostname: "client.example")
            guard connect.isAccept else { return (session, connect) }
            _ = session.helo("client.example")
            return (session, session.mail(sender))
        }
    }

    @Test("declarations read; mistakes reported at their place with what to write")
    func declarations() throws {
        let set = try RuleSetLoader.compile(
            text: """
                limit per-client addr/24 30/1m burst 60
                limit per-sender mail 200/1h strict
                limit big addr/24/48 50m/1h
                dynlist banned addr 1h
                rcpt over per-client tempfail 451 "4.7.1 Slow down"
                body over big tempfail
                connect in banned disconnect 421 "4.7.0 Come back later"
                mail over per-sender add-to banned

                """, file: "d.rules")
        let limits = set.options.rateLimits
        #expect(limits.map(\.name) == ["per-client", "per-sender", "big"])
        #expect(limits[0].key == .address(v4: 24, v6: 64) && limits[0].rate.burst == 60 && limits[0].rate.interval == 2000)
        #expect(limits[1].key == .mail && limits[1].rate.strict && limits[1].rate.burst == 200)
        #expect(limits[2].key == .address(v4: 24, v6: 48) && limits[2].rate.inBytes && limits[2].rate.count == 50 << 20)
        #expect(set.options.dynlists.map(\.ttlMilliseconds) == [3_600_000])
        #expect(set.combinedRules.count == 4)
        for (text, expected) in [
            ("limit l ip 1/1m\n", "e.rules:1:9: bad key 'ip' for l, expected \(StoreKeyKind.keywords)"),
            (
                "limit l addr 30/1w\n",
                "e.rules:1:14: bad rate '30/1w' for limit l: expected COUNT/DURATION with a unit s, m, h or d (30/1m, 200/1h), or a size in bytes (50m/1h)"
            ),
            ("limit l addr 30/1m burst\n", "e.rules:1:25: expected how many events a key may spend at once after burst, e.g. burst 60"),
            // A count at the top of Int: the example in the message must not overflow.
            (
                "limit l addr 9223372036854775807/1m burst\n",
                "e.rules:1:42: expected how many events a key may spend at once after burst, e.g. burst 9223372036854775807"
            ),
            (
                "dynlist d addr forever\n",
                "e.rules:1:16: expected how long an entry of d stays, with a unit s, m, h or d (at most 366d), e.g. dynlist banned addr 1h"
            ),
            (
                "rcpt over nothing reject\n",
                "e.rules:1:11: no limit named nothing: declare it with 'limit nothing KEY COUNT/DURATION', e.g. limit nothing addr 30/1m"
            ),
            ("connect in nothing reject\n", "e.rules:1:12: no dynlist named nothing: declare it with 'dynlist nothing KEY TTL', e.g. dynlist nothing addr 1h"),
            (
                "limit s mail 1/1m\nconnect over s reject\n",
                "e.rules:2:14: limit s is kept by mail, which is known from mail on, not at connect"
            ),
            (
                "dynlist r rcpt 1h\nmail in r reject\n",
                "e.rules:2:9: dynlist r is kept by rcpt, which is known at rcpt only (a message has several recipients), not at mail"
            ),
            ("limit big addr 1m/1h\nrcpt over big reject\n", "e.rules:2:11: limit big counts bytes, which a message has at its end: write body over big"),
            ("helo /x/ add-to nothing\n", "e.rules:1:1: no dynlist named nothing: declare it with 'dynlist nothing KEY TTL', e.g. dynlist nothing addr 1h"),
            ("limit l addr 1/1m\nlimit l helo 1/1m\n", "e.rules:2:1: limit l is declared twice (first at e.rules:1); give each its own name"),
            (
                "limit l addr 1/1m\ndataline over l reject\n",
                "e.rules:2:10: 'over' counts a connection (connect), a HELO (helo), a failed AUTH (authfail), a transaction (mail), a recipient (rcpt) or a message at its end (body), not dataline"
            ),
            ("helo /x/ add-to\n", "e.rules:1:16: expected the name of a list declared with 'dynlist NAME KEY TTL' after add-to, e.g. add-to banned"),
        ] {
            do {
                _ = try RuleSetLoader.compile(text: text, file: "e.rules")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.diagnostics.map(\.description).first == expected, "\(text)")
            }
        }
    }

    @Test("a limit per /24 across sessions: COUNT recipients pass, the next is refused, and the rate frees one per interval")
    func ratePerNetwork() throws {
        let clock = TestClock()
        let sessions = try Sessions(
            """
            limit per-client addr/24 3/1m
            rcpt over per-client tempfail 451 "4.7.1 Slow down"

            """, clock: clock)
        let (first, _) = sessions.session(from: "192.0.2.1")
        #expect(first.rcpt("a@example.org").isAccept && first.rcpt("b@example.org").isAccept)
        // Another client of the same /24 shares the count.
        let (second, _) = sessions.session(from: "192.0.2.200")
        #expect(second.rcpt("c@example.org").isAccept)
        let over = second.rcpt("d@example.org")
        #expect(over.verdict == .tempfail && over.reply?.text == "4.7.1 Slow down")
        // Another network is counted apart.
        #expect(sessions.session(from: "198.51.100.1").0.rcpt("e@example.org").isAccept)
        // 20 s later (one interval), one more.
        clock.advance(20_000)
        #expect(first.rcpt("f@example.org").isAccept)
        #expect(first.rcpt("g@example.org").verdict == .tempfail)
    }

    @Test("a limit counts only where its rule is tried and its outcome depends on it")
    func countsOnlyWhereTried() throws {
        let clock = TestClock()
        let sessions = try Sessions(
            """
            limit probe addr 2/1h
            rcpt /^vip@/ accept
            rcpt /^unknown/ and rcpt over probe reject 550 "5.7.1 Too many unknown recipients"
            rcpt /^unknown/ reject 550 "5.1.1 No such user"

            """, clock: clock)
        let (session, _) = sessions.session(from: "192.0.2.1")
        // Known recipients and the ones an earlier rule accepts do not count.
        for index in 0..<10 { #expect(session.rcpt("user\(index)@example.org").isAccept) }
        for _ in 0..<5 { #expect(session.rcpt("vip@example.org").isAccept) }
        #expect(session.rcpt("unknown1@example.org").reply?.text == "5.1.1 No such user")
        #expect(session.rcpt("unknown2@example.org").reply?.text == "5.1.1 No such user")
        #expect(session.rcpt("unknown3@example.org").reply?.text == "5.7.1 Too many unknown recipients")
        // The store holds one key.
        #expect(sessions.access.store?.keyCount == 1)
    }

    @Test("ban after N refused recipients: a two-rule policy; the ban lasts its time to live; remove-from lifts it")
    func ban() throws {
        let clock = TestClock()
        let sessions = try Sessions(
            """
            limit probe addr 3/1h
            dynlist banned addr 1h
            connect in banned disconnect 421 "4.7.0 Too many failures, come back later"
            mail /^postmaster@/ remove-from banned
            rcpt /^unknown/ and rcpt over probe add-to banned
            rcpt /^unknown/ reject 550 "5.1.1 No such user"

            """, clock: clock)
        let (session, _) = sessions.session(from: "192.0.2.7")
        for index in 1...4 { #expect(session.rcpt("unknown\(index)@example.org").verdict == .reject) }
        // The fourth put the client on the list: its next connection is refused.
        let (_, refused) = sessions.session(from: "192.0.2.7")
        #expect(refused.verdict == .disconnect && refused.reply?.text == "4.7.0 Too many failures, come back later")
        // Another client is not.
        #expect(sessions.session(from: "192.0.2.8").1.isAccept)
        // An hour on, the entry is gone.
        clock.advance(3_600_000)
        #expect(sessions.session(from: "192.0.2.7").1.isAccept)
        // Banned again, then lifted by a rule.
        let (again, _) = sessions.session(from: "192.0.2.9")
        for index in 1...4 { _ = again.rcpt("unknown\(index)@example.org") }
        #expect(sessions.session(from: "192.0.2.9").1.verdict == .disconnect)
        _ = again.mail("postmaster@example.org")
        #expect(sessions.session(from: "192.0.2.9").1.isAccept)
    }

    @Test("a byte limit counts each message's bytes at its end")
    func bytes() throws {
        let clock = TestClock()
        let sessions = try Sessions(
            """
            limit big addr 1k/1h
            body over big tempfail 452 "4.3.1 Too much mail from you, try later"

            """, clock: clock)
        let (session, _) = sessions.session(from: "192.0.2.1")
        // A byte limit needs the message's size, not its lines decoded.
        #expect(!session.readsMessageLines)
        func send(_ lines: Int) -> Decision {
            _ = session.rcpt("a@example.org")
            _ = session.data()
            for _ in 0..<lines { session.dataLine(Array(String(repeating: "x", count: 99).utf8)) }
            return session.endOfMessage()
        }
        #expect(send(6).isAccept)  // 600 bytes
        let over = send(6)  // 1,200 in all
        #expect(over.verdict == .tempfail && over.reply?.code == 452)
        // The refused message did not count (the limit is not strict): a small one fits.
        _ = session.mail("a@sender.example")
        #expect(send(3).isAccept)
    }

    @Test("ban after five failed AUTH attempts: authfail counts them, add-to bans, the next connection is refused")
    func authFailures() throws {
        let clock = TestClock()
        let sessions = try Sessions(
            """
            limit auth-fail addr 5/10m
            limit per-user auth 3/10m
            dynlist banned addr 1h
            dynlist locked auth 1h
            authfail over auth-fail add-to banned
            authfail over per-user add-to locked
            connect in banned disconnect 421 "4.7.0 Too many failed logins, come back later"
            mail in locked reject 535 "5.7.8 Account locked for a while"

            """, clock: clock)
        let session = SessionEvaluator(ruleSet: sessions.set, stores: sessions.access)
        #expect(session.connect(address: "203.0.113.5", hostname: "c.example").isAccept)
        var marks: [String] = []
        for attempt in 1...6 {
            let decision = session.authenticated(user: "user\(attempt % 2)", result: "fail")
            marks += decision?.marks.map(\.description) ?? []
        }
        // The sixth failure from the address bans it (user0 and user1 failed three times each: under 3/10m + 1).
        #expect(marks == ["add-to banned"])
        #expect(sessions.session(from: "203.0.113.5").1.verdict == .disconnect)
        // A passed AUTH is no failure; the user's own count locks it on the fourth failure.
        let other = SessionEvaluator(ruleSet: sessions.set, stores: sessions.access)
        _ = other.connect(address: "203.0.113.6", hostname: "c.example")
        #expect(other.authenticated(user: "alice", result: "pass") == nil)
        for _ in 1...4 { other.authenticated(user: "alice", result: "fail") }
        other.authenticated(user: "alice", result: "pass")
        _ = other.helo("c.example")
        let mail = other.mail("alice@example.org")
        #expect(mail.verdict == .reject && mail.reply?.text == "5.7.8 Account locked for a while")
        // The sender is not known at a failed AUTH (it comes before MAIL FROM).
        do {
            _ = try RuleSetLoader.compile(text: "limit s mail 5/10m\ndynlist b addr 1h\nauthfail over s add-to b\n", file: "a.rules")
            Issue.record("accepted a sender key at authfail")
        } catch {
            #expect(
                error.diagnostics.first?.description
                    == "a.rules:3:15: limit s is kept by mail, which comes after AUTH: a failed AUTH knows only the client (addr), its HELO and the user name tried (auth)"
            )
        }
        // A refusal at authfail has nowhere to go: refused, with what to do.
        do {
            _ = try RuleSetLoader.compile(text: "limit l addr 5/10m\nauthfail over l disconnect\n", file: "a.rules")
            Issue.record("accepted a refusal at authfail")
        } catch {
            #expect(error.diagnostics.first?.description.hasPrefix("a.rules:2:17: a failed AUTH (authfail, at 2:1) is reported, not asked") == true)
        }
    }

    @Test("greylisting: a first attempt is deferred, a retry after the delay passes and is remembered; exemptions are conditions")
    func greylisting() throws {
        let clock = TestClock()
        let sessions = try Sessions(
            """
            set greylist-delay 5m
            set greylist-window 24h
            set greylist-pass 30d
            rcpt /./ and not auth /./ greylist

            """, clock: clock)
        func attempt(_ address: String, _ sender: String, _ rcpt: String, auth: String? = nil) -> Decision {
            let session = SessionEvaluator(ruleSet: sessions.set, stores: sessions.access)
            _ = session.connect(address: address, hostname: "mx.example")
            if let auth { session.authenticated(user: auth, result: "pass") }
            _ = session.helo("mx.example")
            _ = session.mail(sender)
            return session.rcpt(rcpt)
        }
        let first = attempt("192.0.2.10", "alice@sender.example", "bob@example.org")
        #expect(first.verdict == .tempfail && first.reply?.code == 451)
        #expect(first.reply?.text == "4.7.1 Greylisted: this is a first attempt, please try again in a few minutes")
        // Too soon: still deferred, the first attempt's time kept.
        clock.advance(240_000)
        #expect(attempt("192.0.2.10", "alice@sender.example", "bob@example.org").verdict == .tempfail)
        // After the delay, from another address of the /24: passes.
        clock.advance(61_000)
        #expect(attempt("192.0.2.77", "alice@sender.example", "bob@example.org").isAccept)
        // Remembered: passes at once later on, and each use renews it.
        clock.advance(20 * 86_400_000)
        #expect(attempt("192.0.2.10", "alice@sender.example", "bob@example.org").isAccept)
        clock.advance(20 * 86_400_000)
        #expect(attempt("192.0.2.10", "alice@sender.example", "bob@example.org").isAccept)
        // Another recipient is another triplet; an authenticated client is exempt.
        #expect(attempt("192.0.2.10", "alice@sender.example", "carol@example.org").verdict == .tempfail)
        #expect(attempt("192.0.2.10", "alice@sender.example", "dave@example.org", auth: "alice").isAccept)
        // A retry after the window is a first attempt again.
        #expect(attempt("198.51.100.1", "x@a.example", "bob@example.org").verdict == .tempfail)
        clock.advance(25 * 3_600_000)
        #expect(attempt("198.51.100.1", "x@a.example", "bob@example.org").verdict == .tempfail)
        // A pass unused for longer than greylist-pass is gone.
        clock.advance(31 * 86_400_000)
        #expect(attempt("192.0.2.10", "alice@sender.example", "bob@example.org").verdict == .tempfail)
    }

    @Test("the sender greylisting sees: BATV, SRS, +extensions and per-message numbers taken out")
    func normalizedSenders() {
        #expect(GreylistTriplet.normalizedSender("prvs=1234abcd=Alice@Example.COM") == "alice@example.com")
        #expect(GreylistTriplet.normalizedSender("SRS0=HHH=TT=orig.example=alice@forwarder.example") == "alice@orig.example")
        #expect(
            GreylistTriplet.normalizedSender("SRS1=HHH=forwarder.example==HHH=TT=orig.example=alice@second.example")
                == "alice@orig.example")
        #expect(GreylistTriplet.normalizedSender("bounces+20261208-1234@lists.example") == "bounces@lists.example")
        #expect(
            GreylistTriplet.normalizedSender("bounce-mc.us4_1234567.89-alice=example.org@mail.example") == "bounce-mc.us#_#.#-alice=example.org@mail.example")
        #expect(GreylistTriplet.normalizedSender("<>") == "<>")
    }

    @Test("greylist rules must decide at RCPT")
    func greylistPlace() {
        for (text, expected) in [
            (
                "helo /x/ greylist\n",
                "g.rules:1:1: greylist decides at RCPT, on the recipient: give the rule an rcpt term, e.g. rcpt /./ and not auth /./ greylist"
            ),
            ("rcpt /./ and body /x/ greylist\n", "g.rules:1:14: greylist decides at RCPT, before the message: a body term is known only later"),
            ("set greylist-delay soon\n", "g.rules:1:20: bad time 'soon' for greylist-delay, expected a number and a unit s, m, h or d, e.g. 5m"),
        ] {
            do {
                _ = try RuleSetLoader.compile(text: text, file: "g.rules")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.diagnostics.map(\.description).first == expected, "\(text)")
            }
        }
    }

    @Test("a dynamic list seeded from a list file: its entries are on the list for good, beside what rules add")
    func seeded() throws {
        let directory = "/tmp/filter-rules-seed-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "# known abusers\n203.0.113.0/24\n2001:db8::/32\n".write(toFile: directory + "/banned.list", atomically: true, encoding: .utf8)
        let clock = TestClock()
        let set = try RuleSetLoader.compile(
            text: """
                dynlist banned addr 1h file "banned.list"
                connect in banned disconnect 421 "4.7.0 Go away"
                helo /^spammer$/ add-to banned

                """, file: directory + "/s.rules")
        let access = RuleStoreAccess(store: MemoryStore(logger: .quiet), now: { clock.now })
        func connect(_ address: String) -> Decision {
            SessionEvaluator(ruleSet: set, stores: access).connect(address: address, hostname: "h.example")
        }
        #expect(connect("203.0.113.9").verdict == .disconnect)
        #expect(connect("2001:db8::1").verdict == .disconnect)
        #expect(connect("192.0.2.1").isAccept)
        let session = SessionEvaluator(ruleSet: set, stores: access)
        _ = session.connect(address: "192.0.2.1", hostname: "h.example")
        _ = session.helo("spammer")
        #expect(connect("192.0.2.1").verdict == .disconnect)
        clock.advance(3_600_000)
        #expect(connect("192.0.2.1").isAccept)
        #expect(connect("203.0.113.9").verdict == .disconnect)
        // A seed file that is missing is an error at its place.
        do {
            _ = try RuleSetLoader.compile(text: "dynlist b addr 1h file \"none.list\"\nconnect in b reject\n", file: directory + "/t.rules")
            Issue.record("accepted a missing seed file")
        } catch {
            #expect(error.diagnostics.first?.description.hasPrefix("\(directory)/t.rules:1:19: list file ") == true, "\(error)")
        }
    }

    @Test("connect and mail limits: one connection, one transaction each; unknown keys never match")
    func otherEvents() throws {
        let clock = TestClock()
        let sessions = try Sessions(
            """
            limit connections addr 2/1m
            limit per-sender mail-domain 1/1h
            connect over connections tempfail 421 "4.7.0 Too many connections"
            mail over per-sender tempfail 451 "4.7.1 Sender over its rate"

            """, clock: clock)
        #expect(sessions.session(from: "192.0.2.1").1.isAccept)
        #expect(sessions.session(from: "192.0.2.1", sender: "b@other.example").1.isAccept)
        #expect(sessions.session(from: "192.0.2.1").1.verdict == .tempfail)
        #expect(sessions.session(from: "192.0.2.2").1.verdict == .tempfail)  // the sender's domain, again
        // A client on a local socket has no address to count.
        let local = SessionEvaluator(ruleSet: sessions.set, stores: sessions.access)
        for _ in 0..<3 { #expect(local.connect(address: nil, hostname: "localhost").isAccept) }
    }
}
