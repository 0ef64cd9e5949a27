@testable import FilterRules
import RuleStores
import Testing
import TestSupport

/// Steps that wait for a remote store: the evaluator notes the call a step waits for, is
/// put back as it was, and evaluates the step again with the answer. Driven here the way
/// the engine drives it, against a MemoryStore standing in for Redis, the decisions, the
/// store's counts and the rules' hits are those of the embedded store.
@Suite("Rules: steps that wait for a remote store")
struct RemoteStoreStepTests {
    static let rules = """
        limit probe addr 2/1h
        limit per-client addr 3/1h
        dynlist banned addr 1h
        connect in banned disconnect 421 "4.7.0 Go away"
        rcpt /^vip@/ accept
        rcpt /^unknown/ and rcpt over probe add-to banned
        rcpt /^unknown/ reject 550 "5.1.1 No such user"
        rcpt over per-client tempfail 451 "4.7.1 Slow down"
        rcpt /./ and not rcpt /^nogrey@/ greylist

        """

    /// A step evaluated as the engine does with a remote store: again and again until it
    /// waits for nothing, each call answered by `remote`; then its writes made.
    static func step(_ evaluator: SessionEvaluator, remote: MemoryStore, rounds: inout Int, _ body: () -> Decision) -> Decision {
        while true {
            let checkpoint = evaluator.checkpoint()
            let decision = body()
            guard let call = evaluator.pendingStoreCall else {
                evaluator.stepCompleted()
                for write in evaluator.takeStoreWrites() { remote.apply(write, now: 0) }
                return decision
            }
            rounds += 1
            evaluator.restore(checkpoint)
            evaluator.setStoreAnswer(remote.answer(call, now: 0), for: call)
        }
    }

    /// The answers of a scripted series of sessions, with `stores`, driven with `drive`.
    static func answers(
        _ set: CompiledRuleSet, stores: RuleStoreAccess, drive: (SessionEvaluator, () -> Decision) -> Decision
    ) -> [String] {
        var answers: [String] = []
        func note(_ decision: Decision) { answers.append("\(decision.verdict)\(decision.reply.map { " \($0.code)" } ?? "")") }
        for (address, recipients) in [
            ("192.0.2.1", ["vip@x", "a@x", "b@x", "c@x", "d@x", "nogrey@x"]),
            ("192.0.2.2", ["unknown1@x", "unknown2@x", "unknown3@x", "vip@x"]),
            ("192.0.2.2", ["a@x"]),
            ("192.0.2.1", ["a@x", "nogrey@x"]),
        ] {
            let evaluator = SessionEvaluator(ruleSet: set, stores: stores)
            let connect = drive(evaluator) { evaluator.connect(address: address, hostname: "h.example") }
            note(connect)
            guard connect.isAccept else { continue }
            note(drive(evaluator) { evaluator.helo("h.example") })
            note(drive(evaluator) { evaluator.mail("s@sender.example") })
            for recipient in recipients { note(drive(evaluator) { evaluator.rcpt(recipient) }) }
        }
        return answers
    }

    @Test("the same decisions, counts and hits as the embedded store, each call made once")
    func sameAsEmbedded() throws {
        let embeddedSet = try RuleSetLoader.compile(text: Self.rules, file: "r.rules")
        let embedded = MemoryStore(logger: .quiet)
        let expected = Self.answers(embeddedSet, stores: RuleStoreAccess(store: embedded, now: { 0 })) { _, body in body() }

        let remoteSet = try RuleSetLoader.compile(text: Self.rules, file: "r.rules")
        let remote = MemoryStore(logger: .quiet)
        var rounds = 0
        let got = Self.answers(remoteSet, stores: .remote(now: { 0 })) { evaluator, body in
            Self.step(evaluator, remote: remote, rounds: &rounds, body)
        }
        #expect(got == expected)
        #expect(expected.contains("tempfail 451") && expected.contains("disconnect 421") && expected.contains("reject 550"))
        #expect(remote.keyCount == embedded.keyCount)
        #expect(remoteSet.hits.snapshot == embeddedSet.hits.snapshot)
        #expect(rounds > 0)
    }

    @Test("an unknown answer (Redis down) is no match: the mail flows, nothing is counted twice")
    func unknown() throws {
        let set = try RuleSetLoader.compile(text: Self.rules, file: "r.rules")
        let evaluator = SessionEvaluator(ruleSet: set, stores: .remote())
        var calls = 0
        func unanswered(_ body: () -> Decision) -> Decision {
            while true {
                let checkpoint = evaluator.checkpoint()
                let decision = body()
                guard let call = evaluator.pendingStoreCall else {
                    evaluator.stepCompleted()
                    return decision
                }
                calls += 1
                evaluator.restore(checkpoint)
                evaluator.setStoreAnswer(nil, for: call)
            }
        }
        #expect(unanswered { evaluator.connect(address: "192.0.2.1", hostname: "h") }.isAccept)
        #expect(unanswered { evaluator.mail("a@b.example") }.isAccept)
        #expect(unanswered { evaluator.rcpt("someone@x") }.isAccept)
        #expect(unanswered { evaluator.rcpt("unknown@x") }.verdict == .reject)
        // connect's in; the first RCPT's limit and greylisting; the second's probe (unknown,
        // so the next rule refuses it).
        #expect(calls == 4)
    }

    @Test("a regex limit hit in a step that is evaluated again is reported once, when the step is complete")
    func limitHitReportedOnce() throws {
        let rules = "limit per-client addr 3/1h\nrcpt /(a+)+$/ reject\nrcpt over per-client tempfail\n"
        let set = try RuleSetLoader.compile(text: rules, file: "r.rules")
        let evaluator = SessionEvaluator(ruleSet: set, stores: .remote(now: { 0 }))
        var reports: [String] = []
        evaluator.onLimitExceeded = { rule, reason in reports.append("\(rule.location.line): \(reason)") }
        let remote = MemoryStore(logger: .quiet)
        var rounds = 0
        #expect(Self.step(evaluator, remote: remote, rounds: &rounds) { evaluator.connect(address: "192.0.2.1", hostname: "h") }.isAccept)
        let recipient = String(repeating: "a", count: 30) + "!@x"
        #expect(Self.step(evaluator, remote: remote, rounds: &rounds) { evaluator.rcpt(recipient) }.isAccept)
        // Evaluated twice (the second time with the limit's answer), reported once.
        #expect(rounds == 1)
        #expect(reports.count == 1, "\(reports)")
        #expect(reports.first?.hasPrefix("2: ") == true)
    }
}
