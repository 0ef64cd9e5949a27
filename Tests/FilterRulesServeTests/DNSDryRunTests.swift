import Foundation
import SMTPDTestDouble
import Testing

/// `filter-rules test` with DNS lists: answers from a file (`--dns FILE`), and a rules file
/// with DNS lists refused without `--dns`.
@Suite("filter-rules test: DNS lists")
struct DNSDryRunTests {
    static let rules = """
        dnslist zen zen.example 127.0.0.2-127.0.0.11
        dnslist dbl dbl.example 127.0.1.0/24
        addr listed zen reject 554 "5.7.1 Listed in zen: $txt"
        mail listed dbl tempfail 451 "4.7.1 Sender domain listed"

        """

    static let answers = """
        ; reproducible answers for the dry-run
        99.2.0.192.zen.example. A 127.0.0.2
        99.2.0.192.zen.example. TXT "https://check.example/192.0.2.99"
        spam.example.dbl.example A 127.0.1.2
        11.2.0.192.zen.example TIMEOUT

        """

    @Test("--dns FILE: each step shows its lookups and their results; the listed ones decide")
    func answerFile() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let answers = try TemporaryFile(Self.answers)
        let listed = try TemporaryFile("#! connect 192.0.2.99 mx.example.net\nEHLO mx.example.net\n")
        let sender = try TemporaryFile("#! connect 192.0.2.11 mx.example.net\nEHLO mx.example.net\nMAIL FROM:<a@spam.example>\n")
        let result = try runFilterRules(["test", "--rules", rules.path, "--dns", answers.path, listed.path, sender.path])
        #expect(result.status == 0)
        #expect(
            result.standardOutput == """
                \(listed.path) (client 192.0.2.99 mx.example.net): PASS
                  connect  reject 554 5.7.1 Listed in zen: https://check.example/192.0.2.99  \
                [\(rules.path):3: addr listed zen reject 554 "5.7.1 Listed in zen: $txt"]  \
                on hostname: "mx.example.net"  (addr listed zen: listed (127.0.0.2, "https://check.example/192.0.2.99"))
                  helo     not-reached  on HELO name: ""  (the connection was refused)
                \(sender.path) (client 192.0.2.11 mx.example.net): PASS
                  connect  accept  (addr listed zen: unknown (timeout))
                  helo     accept  on HELO name: "mx.example.net"
                  mail     tempfail 451 4.7.1 Sender domain listed  [\(rules.path):4: mail listed dbl tempfail 451 "4.7.1 Sender domain listed"]  \
                on sender: "a@spam.example"  (mail listed dbl: listed (127.0.1.2))
                2 transcript(s), 0 failed

                """)
    }

    @Test("--eml with --client-address: a listed client's message is refused at connect")
    func savedMessage() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let answers = try TemporaryFile(Self.answers)
        let message = fixtureMessagePath("ham-lf.eml")
        let result = try runFilterRules([
            "test", "--rules", rules.path, "--dns", answers.path, "--eml", "--client-address", "192.0.2.99", message,
        ])
        #expect(result.status == 1)
        #expect(result.standardOutput.hasPrefix("\(message): connect reject 554 5.7.1 Listed in zen: https://check.example/192.0.2.99"))
    }

    @Test("without --dns a rules file with DNS lists is refused, naming the option; a bad answer file at its line")
    func refusals() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let transcript = try TemporaryFile("EHLO x.example\n")
        let missing = try runFilterRules(["test", "--rules", rules.path, transcript.path])
        #expect(missing.status == 2)
        #expect(
            missing.standardError
                == "\(rules.path):1: the rules look up DNS lists (dnslist zen): give --dns FILE (answers from a file, "
                + "for reproducible runs) or --dns live (the resolver)\n")
        let bad = try TemporaryFile("x.example A 127.0.0\n")
        let refused = try runFilterRules(["test", "--rules", rules.path, "--dns", bad.path, transcript.path])
        #expect(refused.status == 2)
        #expect(refused.standardError == "\(bad.path):1:13: an A record takes one IPv4 address, e.g. 127.0.0.2\n")
        // check counts the lists; rules without DNS lists need no --dns.
        let checked = try runFilterRules(["check", rules.path])
        #expect(checked.status == 0 && checked.standardOutput.hasPrefix("\(rules.path): OK, 2 rules (rules format): connect 0, addr 0,"))
        #expect(checked.standardOutput.contains("fcrdns 0; 2 combined; 2 DNS lists\n"))
        let plain = try TemporaryRulesFile("helo /x/ reject\n")
        #expect(try runFilterRules(["test", "--rules", plain.path, transcript.path]).status == 0)
    }
}

/// `filter-rules test` on the scoring policy of filter-rules.conf(5), with DNS answers from a file.
@Suite("filter-rules test: scores")
struct ScoreDryRunTests {
    static let rules = """
        dnslist zen zen.example 127.0.0.2-127.0.0.11
        dnslist dbl dbl.example 127.0.1.0/24
        addr listed zen score 6
        helo listed dbl score 3
        header Subject /\\bfree money\\b/i score 2.5
        score >= 10 reject 554 "5.7.1 Spam score $score"
        score >= 5 add-header "X-Spam-Score: $score ($symbols)"
        score >= 5 junk

        """

    @Test("the score adds up across steps; the report shows each step's score and the final decision")
    func policy() throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let answers = try TemporaryFile("99.2.0.192.zen.example A 127.0.0.2\nspam.example.dbl.example A 127.0.1.2\n")
        let message = "MAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>\nDATA\nSubject: Free money now\n\nhello\n.\n"
        let spam = try TemporaryFile("#! connect 192.0.2.99 mx.example.net\nEHLO spam.example\n" + message)
        let tagged = try TemporaryFile("#! connect 192.0.2.99 mx.example.net\nEHLO ok.example\n" + message)
        let result = try runFilterRules(["test", "--rules", rules.path, "--dns", answers.path, spam.path, tagged.path])
        #expect(result.status == 0)
        let r = rules.path
        #expect(
            result.standardOutput == """
                \(spam.path) (client 192.0.2.99 mx.example.net): PASS
                  connect  accept  (score 6 (\(r):3))  (addr listed zen: listed (127.0.0.2))  (score now 6 (\(r):3(6)))
                  helo     accept  on HELO name: "spam.example"  (score 3 (\(r):4))  (helo listed dbl: listed (127.0.1.2))  \
                (score now 9 (\(r):3(6), \(r):4(3)))
                  mail     accept  on sender: "a@b.example"  (score now 9 (\(r):3(6), \(r):4(3)))
                  rcpt     accept  on recipient: "c@d.example"  (score now 9 (\(r):3(6), \(r):4(3)))
                  data     accept
                  message  reject 554 5.7.1 Spam score 11.5  [\(r):6: score >= 10 reject 554 "5.7.1 Spam score $score"]  on line 3: ""  \
                (score 2.5 (\(r):5))  (score now 11.5 (\(r):3(6), \(r):4(3), \(r):5(2.5)))
                \(tagged.path) (client 192.0.2.99 mx.example.net): PASS
                  connect  accept  (score 6 (\(r):3))  (addr listed zen: listed (127.0.0.2))  (score now 6 (\(r):3(6)))
                  helo     accept  on HELO name: "ok.example"  (helo listed dbl: not listed)  (score now 6 (\(r):3(6)))
                  mail     accept  on sender: "a@b.example"  (score now 6 (\(r):3(6)))
                  rcpt     accept  on recipient: "c@d.example"  (score now 6 (\(r):3(6)))
                  data     accept
                  message  accept  (score 2.5 (\(r):5))  (add-header "X-Spam-Score: 8.5 (\(r):3(6), \(r):5(2.5))" (\(r):7))  \
                (junk (\(r):8))  (adds "X-Spam: Yes")  (adds "X-Spam-Score: 8.5 (\(r):3(6), \(r):5(2.5))")  \
                (score now 8.5 (\(r):3(6), \(r):5(2.5)))
                2 transcript(s), 0 failed

                """)
    }
}

/// `filter-rules test` with `header NAME listed` and `body links listed`: the message step
/// shows each domain looked up, where the message named it, and its result.
@Suite("filter-rules test: DNS lists on the message")
struct MessageListDryRunTests {
    @Test("--eml: the From domain and link hosts are looked up; a listed link refuses the message, with the lookups in the report")
    func savedMessage() throws {
        let rules = try TemporaryRulesFile(
            """
            dnslist dbl dbl.example 127.0.1.0/24
            header From listed dbl reject 550 "5.7.1 Sender domain listed"
            body links listed dbl reject 554 "5.7.1 Link listed: $txt"

            """)
        let answers = try TemporaryFile(
            """
            spam.example.dbl.example. A 127.0.1.2
            spam.example.dbl.example. TXT "https://check.example/spam.example"
            slow.example.dbl.example. TIMEOUT

            """)
        let message = try TemporaryFile(
            """
            From: Alice <alice@clean.example>
            To: bob@example.org
            Subject: hello
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            <a href=3D"https://slow.example/">one</a> <a href=3D"HTTPS://SPAM.example/x">two</a>

            """)
        let result = try runFilterRules(["test", "--rules", rules.path, "--dns", answers.path, "--eml", "--json", message.path])
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]]
        let steps = report?.first?["steps"] as? [[String: Any]] ?? []
        let step = steps.first { $0["step"] as? String == "message" }
        #expect(step?["answer"] as? String == "reject")
        #expect(step?["text"] as? String == "5.7.1 Link listed: https://check.example/spam.example")
        #expect(
            step?["dnsLookups"] as? [String] == [
                "header from listed dbl clean.example: not listed",
                "body links listed dbl slow.example: unknown (timeout)",
                "body links listed dbl spam.example: listed (127.0.1.2, \"https://check.example/spam.example\")",
            ])
    }
}
