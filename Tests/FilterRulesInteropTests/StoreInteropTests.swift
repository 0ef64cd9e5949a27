import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

extension FilterRulesInteropTests {
    /// Limits, dynamic lists and greylisting under Debian's smtpd (every test session comes
    /// from 127.0.0.1), with the filter's embedded store and its state file.
    @Suite("filter-rules under smtpd: limits, lists and greylisting")
    struct StoreInteropTests {
        /// A directory the filter (run as smtpd's user) can write its state file in.
        static func stateDirectory() throws -> String {
            let path = "/tmp/filter-rules-state-\(UInt64.random(in: 0...UInt64.max))"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            chmod(path, 0o1777)
            return path
        }

        static func greylistRules(state: String) -> String {
            """
            set state-file "\(state)/state"
            set greylist-delay 2s
            rcpt /./ greylist

            """
        }

        @Test("greylisting: the first attempt gets 451, the retry after the delay is delivered byte for byte; a restart keeps the pass")
        func greylisting() throws {
            let state = try Self.stateDirectory()
            defer { try? FileManager.default.removeItem(atPath: state) }
            let message = InteropMessage.sample(subject: "greylisted once")
            try withRealSMTPD(rules: Self.greylistRules(state: state)) { smtpd in
                var transcript = try smtpd.session(SMTPSessionPlan(message: message.bytes))
                let deferred = transcript.reply(at: "rcpt")
                #expect(deferred?.code == 451 && deferred?.text.hasPrefix("4.7.1 Greylisted") == true, "\(transcript)\n\(smtpd.logTail())")
                #expect(smtpd.waitForDelivery(containing: message.marker, timeout: 1) == nil)
                Thread.sleep(forTimeInterval: 2.2)
                transcript = try smtpd.session(SMTPSessionPlan(message: message.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(smtpd.logTail())")
                let delivered = try #require(smtpd.waitForDelivery(containing: message.marker), "not delivered\n\(smtpd.logTail())")
                #expect(InteropMessage.withoutTraceHeaders(delivered) == message.bytes)
            }
            // smtpd stopped, and with it the filter, which wrote its state: a new smtpd and
            // filter let the same triplet through at once.
            try withRealSMTPD(rules: Self.greylistRules(state: state)) { smtpd in
                let again = InteropMessage.sample(subject: "passes after a restart")
                let transcript = try smtpd.session(SMTPSessionPlan(message: again.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(smtpd.logTail())")
                #expect(smtpd.waitForDelivery(containing: again.marker) != nil, "not delivered\n\(smtpd.logTail())")
            }
        }

        @Test("a rate limit tempfails the message over it; a ban after refused recipients refuses the next connection")
        func limitAndBan() throws {
            let rules = """
                set state-file off
                limit messages addr 2/1h
                limit probe addr 2/1h
                dynlist banned addr 1h
                connect in banned disconnect 421 "4.7.0 Too many failures, come back later"
                rcpt /^unknown/ and rcpt over probe add-to banned
                rcpt /^unknown/ reject 550 "5.1.1 No such user here"
                body over messages tempfail 451 "4.7.1 Too many messages, slow down"

                """
            try withRealSMTPD(rules: rules) { smtpd in
                for index in 1...2 {
                    let message = InteropMessage.sample(subject: "within the limit \(index)")
                    let transcript = try smtpd.session(SMTPSessionPlan(message: message.bytes))
                    #expect(transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(smtpd.logTail())")
                }
                let third = InteropMessage.sample(subject: "over the limit")
                var transcript = try smtpd.session(SMTPSessionPlan(message: third.bytes))
                let over = transcript.reply(at: "message")
                #expect(over?.code == 451 && over?.text == "4.7.1 Too many messages, slow down", "\(transcript)\n\(smtpd.logTail())")
                // Three unknown recipients, a session each: refused, and the third bans the client.
                for index in 1...3 {
                    transcript = try smtpd.session(SMTPSessionPlan(recipients: ["unknown\(index)@example.net"]))
                    let refused = transcript.reply(at: "rcpt")
                    #expect(refused?.code == 550 && refused?.text == "5.1.1 No such user here", "\(transcript)\n\(smtpd.logTail())")
                }
                transcript = try smtpd.session(SMTPSessionPlan())
                let banned = transcript.steps.first
                #expect(banned?.code == 421 && banned?.text == "4.7.0 Too many failures, come back later", "\(transcript)\n\(smtpd.logTail())")
            }
        }
    }
}
