import Foundation
import Testing

extension FilterRulesInteropTests {
    /// Combined conditions and list files under Debian's real smtpd (the line protocol of 6.8).
    @Suite("filter-rules under smtpd: combined conditions and list files")
    struct ConditionInteropTests {
        @Test("a cross-stage rule is decided at the later stage; a list file of senders refuses its entries")
        func crossStageAndList() throws {
            let lists = "/tmp/filter-rules-interop-lists-\(getpid())"
            try FileManager.default.createDirectory(
                atPath: lists, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
            defer { try? FileManager.default.removeItem(atPath: lists) }
            try RealSMTPD.write("# senders we refuse\nblocked@list.example\n.blocked-domain.example\n", to: lists + "/senders.list")
            let rules = """
                helo /^cross-stage\\.example$/ and rcpt /^sales@/ reject 550 "5.7.1 $0 only from partners"
                mail file "\(lists)/senders.list" reject 550 "5.7.1 Sender on the list"
                """
            try withRealSMTPD(rules: rules) { server in
                let crossed = try server.session(SMTPSessionPlan(name: "cross-stage.example", recipients: ["sales@example.net"]))
                #expect(crossed.reply(at: "helo")?.code == 250 || crossed.reply(at: "ehlo")?.code == 250, "\(crossed)")
                #expect(crossed.reply(at: "mail")?.code == 250, "\(crossed)")
                #expect(crossed.refusal?.stage == "rcpt" && crossed.refusal?.code == 550, "\(crossed)")
                #expect(crossed.refusal?.text.contains("5.7.1 sales@ only from partners") == true, "\(crossed)")
                let message = InteropMessage.sample(subject: "cross other recipient")
                let other = try server.session(
                    SMTPSessionPlan(
                        name: "cross-stage.example", recipients: ["bob@example.net"],
                        message: message.bytes))
                #expect(other.refusal == nil, "\(other)")
                #expect(server.waitForDelivery(containing: message.marker) != nil, "not delivered\n\(server.logTail())")
                for sender in ["blocked@list.example", "anyone@mx.blocked-domain.example"] {
                    let listed = try server.session(SMTPSessionPlan(mail: sender))
                    #expect(listed.refusal?.stage == "mail" && listed.refusal?.code == 550, "\(sender): \(listed)")
                }
                let fine = try server.session(SMTPSessionPlan(mail: "fine@list.example"))
                #expect(fine.refusal == nil, "\(fine)")
            }
        }
    }
}
