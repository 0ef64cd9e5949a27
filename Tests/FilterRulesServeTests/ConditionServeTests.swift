import Foundation
import SMTPDTestDouble
import Testing

@Suite("filter-rules serve: combined conditions, session facts and lists through the daemon doubles")
struct ConditionServeTests {
    static let rules = """
        auth /./ accept session
        fcrdns /^fail$/ and mail /@example\\.org$/ reject 550 "5.7.1 $0 needs FCrDNS"
        helo /^mx\\.partner\\.example$/ and rcpt /^sales@/ tempfail 451 "4.7.1 later"
        mail file "senders.list" reject 550 "5.7.1 Sender listed"
        """

    /// The rules file with its list beside it.
    static func rulesFile() throws -> TemporaryRulesFile {
        let file = try TemporaryRulesFile(rules)
        let list = URL(fileURLWithPath: file.path).deletingLastPathComponent().appendingPathComponent("senders.list")
        try "# blocked senders\nspammer@bulk.example\n.badnet.example\n".write(to: list, atomically: true, encoding: .utf8)
        return file
    }

    @Test("0.6: link-auth username|result; the auth and tls reports are registered; an authenticated session is accepted")
    func line06() throws {
        let (_, smtpd, registration) = try startLineServing(try Self.rulesFile(), version: "0.6")
        #expect(registration.contains("register|report|smtp-in|link-auth"))
        #expect(registration.contains("register|report|smtp-in|link-tls"))
        try smtpd.report("link-connect", session: 1, parameters: "h.example|fail|192.0.2.7:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 1, parameters: "h.example|192.0.2.7").hasSuffix("|proceed"))
        #expect(try smtpd.query("ehlo", session: 1, parameters: "h.example").hasSuffix("|proceed"))
        try smtpd.report("link-auth", session: 1, parameters: "bob|pass")
        #expect(
            try smtpd.query("mail-from", session: 1, parameters: "<bob@example.org>")
                == "filter-result|0000000000000001|0000000000001003|proceed")
        // Without AUTH the FCrDNS failure refuses the sender, with the capture.
        try smtpd.report("link-connect", session: 2, parameters: "h.example|fail|192.0.2.8:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 2, parameters: "h.example|192.0.2.8").hasSuffix("|proceed"))
        try smtpd.report("link-auth", session: 2, parameters: "bob|fail")
        #expect(
            try smtpd.query("mail-from", session: 2, parameters: "<carol@example.org>")
                == "filter-result|0000000000000002|0000000000001005|reject|550 5.7.1 @example.org needs FCrDNS")
    }

    @Test("0.7: link-auth result|username")
    func line07() throws {
        let (_, smtpd, _) = try startLineServing(try Self.rulesFile(), version: "0.7")
        try smtpd.report("link-connect", session: 3, parameters: "h.example|fail|192.0.2.7:1|192.0.2.1:25")
        try smtpd.report("link-auth", session: 3, parameters: "pass|bob")
        #expect(try smtpd.query("mail-from", session: 3, parameters: "<bob@example.org>").hasSuffix("|proceed"))
        try smtpd.report("link-connect", session: 4, parameters: "h.example|fail|192.0.2.7:2|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 4, parameters: "h.example|192.0.2.7").hasSuffix("|proceed"))
        // In 0.7 "bob|pass" reads as result "bob": not authenticated.
        try smtpd.report("link-auth", session: 4, parameters: "bob|pass")
        #expect(try smtpd.query("mail-from", session: 4, parameters: "<bob@example.org>").contains("|reject|550 "))
    }

    @Test("a cross-stage rule decides at the later stage; a list file of senders refuses its entries")
    func crossStageAndList() throws {
        let (_, smtpd, _) = try startLineServing(try Self.rulesFile())
        try smtpd.report("link-connect", session: 5, parameters: "mx.partner.example|pass|192.0.2.9:1|192.0.2.1:25")
        #expect(try smtpd.query("helo", session: 5, parameters: "mx.partner.example").hasSuffix("|proceed"))
        #expect(try smtpd.query("mail-from", session: 5, parameters: "<a@partner.example>").hasSuffix("|proceed"))
        #expect(try smtpd.query("rcpt-to", session: 5, parameters: "<sales@example.org>").hasSuffix("|reject|451 4.7.1 later"))
        #expect(try smtpd.query("rcpt-to", session: 5, parameters: "<bob@example.org>").hasSuffix("|proceed"))
        #expect(try smtpd.query("mail-from", session: 5, parameters: "<Spammer@Bulk.Example>").hasSuffix("|reject|550 5.7.1 Sender listed"))
        #expect(try smtpd.query("mail-from", session: 5, parameters: "<x@mail.badnet.example>").hasSuffix("|reject|550 5.7.1 Sender listed"))
    }

    @Test("filter API 52: session facts are empty (logged once at start), cross-stage rules and lists work")
    func v52() throws {
        let (process, smtpd) = try startServing(try Self.rulesFile())
        #expect(waitForLog(process, containing: "term(s) on session facts, which filter API 52 does not report"))
        #expect(try connect(smtpd, session: 6, hostname: "mx.partner.example").status == 0)
        #expect(try smtpd.ask(.helo, session: 6, extra: SMTPDDouble.heloExtra("mx.partner.example")).status == 0)
        try smtpd.event(.txBegin, session: 6)
        // fcrdns is empty on API 52: the FCrDNS rule never fires.
        #expect(try smtpd.ask(.mail, session: 6, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "example.org")).status == 0)
        let later = try smtpd.ask(.rcpt, session: 6, extra: SMTPDDouble.mailaddrExtra(user: "sales", domain: "example.org"))
        #expect(later.status == 1 && later.code == 451 && later.line == "4.7.1 later")
        try smtpd.event(.txRollback, session: 6)
        try smtpd.event(.txBegin, session: 6)
        let listed = try smtpd.ask(.mail, session: 6, extra: SMTPDDouble.mailaddrExtra(user: "spammer", domain: "bulk.example"))
        #expect(listed.status == 1 && listed.code == 550)
    }

    @Test("check --protocol v52 warns about session-fact terms at their place")
    func checkForV52() throws {
        let file = try Self.rulesFile()
        let result = try runFilterRules(["check", "--protocol", "v52", file.path])
        #expect(result.status == 0)
        #expect(result.standardError.contains("\(file.path):1:1: warning: auth terms see the empty string on OpenSMTPD 6.0.x"))
        #expect(result.standardError.contains("\(file.path):2:1: warning: fcrdns terms see the empty string"))
    }
}
