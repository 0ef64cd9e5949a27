import DNSLists
@testable import FilterRules
import Testing
import TestSupport

/// `score N` actions, `score OP N` terms, `$score` and `$symbols`.
@Suite("Rules: scores")
struct ScoreRulesTests {
    /// The issue's policy, read as written.
    static let policy = """
        dnslist zen zen.spamhaus.org 127.0.0.2-127.0.0.11
        dnslist dbl dbl.spamhaus.org 127.0.1.0/24
        dnslist wl list.dnswl.org
        addr listed zen score 6
        addr listed wl score -4.5
        helo listed dbl score 3
        header Subject /\\bfree money\\b/i score 2.5
        score >= 10 reject 554 "5.7.1 Spam score $score"
        score >= 5 add-header "X-Spam-Score: $score ($symbols)"
        score >= 5 junk

        """

    static let zen = DNSListResult.listed(codes: [0x7f00_0002], text: nil)

    /// A session of `policy` from a client listed as `addr` says, HELO `helo` listed as
    /// `dbl` says, sending a message with `subject`; the decisions of HELO, RCPT and the message.
    func session(
        addr: [String: DNSListResult], dbl: DNSListResult, subject: String
    ) throws -> (helo: Decision, rcpt: Decision, message: Decision, evaluator: SessionEvaluator) {
        let evaluator = try rulesSession(Self.policy, file: "p.rules")
        evaluator.setListings(addr, for: .addr)
        _ = evaluator.connect(address: "192.0.2.99", hostname: "mx.example")
        evaluator.setListings(["dbl": dbl], for: .helo)
        let helo = evaluator.helo("spam.example")
        _ = evaluator.mail("a@example.org")
        let rcpt = evaluator.rcpt("b@example.net")
        _ = evaluator.data()
        for line in ["Subject: FREE money inside", "", "hello"] { evaluator.dataLine(Array(line.utf8)) }
        return (helo, rcpt, evaluator.endOfMessage(), evaluator)
    }

    @Test("scores add up across stages and decide at the end of the message: 6 + 3 + 2.5 rejects")
    func rejectsAtTen() throws {
        let (helo, rcpt, message, _) = try session(addr: ["zen": Self.zen, "wl": .notListed], dbl: .listed(codes: [0x7f00_0102], text: nil), subject: "")
        #expect(helo.isAccept && rcpt.isAccept)
        #expect(message.verdict == .reject)
        #expect(message.reply?.text == "5.7.1 Spam score 11.5")
        #expect(message.score?.description == "11.5 (p.rules:4(6), p.rules:6(3), p.rules:7(2.5))")
        #expect(message.rule?.location.line == 8)
    }

    @Test("between 5 and 10: tagged at the end with the final score and the rules that made it")
    func tagsAtFive() throws {
        let (_, _, message, _) = try session(addr: ["zen": Self.zen, "wl": .notListed], dbl: .notListed, subject: "")
        #expect(message.isAccept && message.isJunk)
        #expect(message.edits?.headerLines() == ["X-Spam: Yes", "X-Spam-Score: 8.5 (p.rules:4(6), p.rules:7(2.5))"])
    }

    @Test("a whitelist scores negative: 6 - 4.5 + 2.5 stays below 5")
    func negative() throws {
        let (_, _, message, _) = try session(addr: ["zen": Self.zen, "wl": .listed(codes: [0x7f00_0a01], text: nil)], dbl: .notListed, subject: "")
        #expect(message.isAccept && !message.isJunk && message.edits == nil)
        #expect(message.score?.total == Score("4"))
    }

    @Test("a refusal on the score is tried at each envelope step, with the score of the steps before it")
    func envelopeThreshold() throws {
        let rules = """
            addr 192.0.2.0/24 score 4
            helo /spam/ score 2
            score > 5 tempfail 451 "4.7.1 Score $score"
            mail /./ score 100

            """
        let evaluator = try rulesSession(rules, file: "e.rules")
        #expect(evaluator.connect(address: "192.0.2.1", hostname: "h").isAccept)
        // At HELO the score is 4: the HELO's own points count from the next step on.
        #expect(evaluator.helo("spam.example").isAccept)
        let mail = evaluator.mail("a@example.org")
        #expect(mail.verdict == .tempfail && mail.reply?.text == "4.7.1 Score 6")
        // A new transaction keeps the session's points, not the last transaction's.
        evaluator.transactionEnded()
        #expect(evaluator.score.total == Score("6"))
    }

    @Test("numbers: signs, up to three decimals, written back in their shortest form")
    func numbers() {
        #expect(Score("6")?.description == "6")
        #expect(Score("-1.5")?.description == "-1.5")
        #expect(Score("+2.250")?.description == "2.25")
        #expect(Score("0.001")?.description == "0.001")
        #expect((Score("2.5")! + Score("-2.5")!).description == "0")
        for bad in ["", "-", "1.", ".5", "1.2345", "1e3", "x", "1,5", "99999999"] {
            #expect(Score(bad) == nil, "\(bad)")
        }
    }

    @Test("mistakes are reported at their place; a threshold no rule can reach is warned")
    func diagnostics() throws {
        let cases: [(String, String)] = [
            ("helo /x/ score\n", "s.rules:1:15: expected the points after score, e.g. score 2.5 or score -3 (at most 3 decimals)"),
            ("helo /x/ score 1.2345\n", "s.rules:1:16: expected the points after score, e.g. score 2.5 or score -3 (at most 3 decimals)"),
            ("score = 5 reject\n", "s.rules:1:7: expected a comparison after score (>=, >, <, <=), e.g. score >= 5"),
            ("score >= high reject\n", "s.rules:1:10: expected a number after score >=, e.g. score >= 5 or score >= -1.5"),
        ]
        for (text, expected) in cases {
            do {
                _ = try RuleSetLoader.compile(text: text, file: "s.rules")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.diagnostics.map(\.description).first == expected, "\(text)")
            }
        }
        let unreachable = try RuleSetLoader.compile(
            text: "helo /x/ score 3\nbody /y/ score 2\nscore >= 10 reject\nscore >= 5 junk\nscore < -1 accept\n", file: "s.rules")
        #expect(
            unreachable.warnings.map(\.description) == [
                "s.rules:3:1: warning: score >= 10 is never true: the score rules add up to 0 at least and 5 at most",
                "s.rules:5:1: warning: score < -1 is never true: the score rules add up to 0 at least and 5 at most",
            ])
        // A recipient rule scores for each recipient: no bound, no warning.
        #expect(try RuleSetLoader.compile(text: "rcpt /x/ score 3\nscore >= 10 reject\n", file: "s.rules").warnings.isEmpty)
    }
}
