import Foundation
import Testing
import TestSupport

extension FilterRulesInteropTests {
    /// DNS lists under Debian's smtpd, asked through the real resolver of the filter against
    /// nsd on 127.0.0.1 (every test session comes from 127.0.0.1).
    @Suite(
        "filter-rules under smtpd: DNS lists",
        .enabled(if: NSDServer.isInstalled, "needs /usr/sbin/nsd (Debian package nsd; scripts/test installs it)"))
    struct DNSListInteropTests {
        /// A zone listing 127.0.0.1 with `code`.
        static func zone(_ name: String, code: String) -> String {
            """
            $ORIGIN \(name).
            $TTL 300
            @ IN SOA ns.\(name). admin.\(name). 1 3600 600 86400 60
            @ IN NS ns.\(name).
            1.0.0.127 IN A \(code)
            """
        }

        static func rules(resolver: String, whitelist: Bool = false) -> String {
            """
            dnslist zen zen.test 127.0.0.2-127.0.0.11
            dnslist wl wl.test
            set resolver \(resolver)
            \(whitelist ? "addr listed wl accept session" : "# no whitelist")
            addr listed zen reject 554 "5.7.1 Listed in zen (interop)"

            """
        }

        @Test("a listed client is refused with the list's reply; whitelisted as well, it is accepted and its mail delivered intact")
        func listedAndWhitelisted() throws {
            let server = try NSDServer(zones: ["zen.test": Self.zone("zen.test", code: "127.0.0.2"), "wl.test": Self.zone("wl.test", code: "127.0.10.1")])
            defer { server.stop() }
            try withRealSMTPD(rules: Self.rules(resolver: server.address)) { smtpd in
                let transcript = try smtpd.session(SMTPSessionPlan())
                #expect(transcript.steps.first?.stage == "connect" && transcript.steps.first?.code == 554, "\(transcript)\n\(smtpd.logTail())")
                #expect(transcript.steps.first?.text == "5.7.1 Listed in zen (interop)", "\(transcript)")
            }
            try withRealSMTPD(rules: Self.rules(resolver: server.address, whitelist: true)) { smtpd in
                let message = InteropMessage.sample(subject: "dns whitelist")
                let transcript = try smtpd.session(SMTPSessionPlan(message: message.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(smtpd.logTail())")
                let delivered = try #require(smtpd.waitForDelivery(containing: message.marker), "not delivered\n\(smtpd.logTail())")
                #expect(InteropMessage.withoutTraceHeaders(delivered) == message.bytes)
            }
        }

        @Test("a score from two lists and a header rule junks the message: smtpd delivers it with the filter's headers")
        func scoreJunks() throws {
            let server = try NSDServer(zones: ["zen.test": Self.zone("zen.test", code: "127.0.0.2"), "bl2.test": Self.zone("bl2.test", code: "127.0.0.3")])
            defer { server.stop() }
            let rules = """
                dnslist zen zen.test 127.0.0.2-127.0.0.11
                dnslist other bl2.test
                set resolver \(server.address)
                addr listed zen score 3
                addr listed other score 1.5
                header Subject /interop score/ score 1
                score >= 10 reject
                score >= 5 add-header "X-Spam-Score: $score"
                score >= 5 junk

                """
            try withRealSMTPD(rules: rules) { smtpd in
                let message = InteropMessage.sample(subject: "interop score")
                let transcript = try smtpd.session(SMTPSessionPlan(message: message.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(smtpd.logTail())")
                let delivered = try #require(smtpd.waitForDelivery(containing: message.marker), "not delivered\n\(smtpd.logTail())")
                let text = String(decoding: delivered, as: UTF8.self)
                #expect(text.contains("\nX-Spam: Yes\n") || text.hasPrefix("X-Spam: Yes\n"), "\(text)")
                #expect(text.contains("X-Spam-Score: 5.5\n"), "\(text)")
                // The message itself is intact after the added headers.
                #expect(text.contains(String(decoding: message.bytes, as: UTF8.self)), "\(text)")
            }
        }

        @Test("a message linking to a listed domain is refused at its end; one linking elsewhere is delivered intact")
        func listedLink() throws {
            let dbl = """
                $ORIGIN dbl.test.
                $TTL 300
                @ IN SOA ns.dbl.test. admin.dbl.test. 1 3600 600 86400 60
                @ IN NS ns.dbl.test.
                spam.example IN A 127.0.1.2
                """
            let server = try NSDServer(zones: ["dbl.test": dbl])
            defer { server.stop() }
            let rules = """
                dnslist dbl dbl.test 127.0.1.0/24
                set resolver \(server.address)
                body links listed dbl reject 554 "5.7.1 Message links to a listed domain (interop)"

                """
            try withRealSMTPD(rules: rules) { smtpd in
                let listed = InteropMessage.sample(subject: "dns link", body: ["Visit https://www.clean.example/ or http://Spam.Example/offer now."])
                var transcript = try smtpd.session(SMTPSessionPlan(message: listed.bytes))
                let refused = transcript.reply(at: "message")
                #expect(refused?.code == 554 && refused?.text == "5.7.1 Message links to a listed domain (interop)", "\(transcript)\n\(smtpd.logTail())")
                let clean = InteropMessage.sample(subject: "dns clean link", body: ["Visit https://www.clean.example/ now."])
                transcript = try smtpd.session(SMTPSessionPlan(message: clean.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(smtpd.logTail())")
                let delivered = try #require(smtpd.waitForDelivery(containing: clean.marker), "not delivered\n\(smtpd.logTail())")
                #expect(InteropMessage.withoutTraceHeaders(delivered) == clean.bytes)
            }
        }

        @Test("with the DNS server silent, mail still flows once the lookup times out")
        func silentServer() throws {
            let silent = try ScriptedDNSServer { _ in .silence }
            defer { silent.stop() }
            try withRealSMTPD(rules: Self.rules(resolver: silent.address)) { smtpd in
                let message = InteropMessage.sample(subject: "dns silent")
                let transcript = try smtpd.session(SMTPSessionPlan(message: message.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(smtpd.logTail())")
                let greeting = try #require(transcript.steps.first)
                #expect(greeting.code == 220 && greeting.at >= 1.8 && greeting.at < 5, "\(transcript)")
                #expect(smtpd.waitForDelivery(containing: message.marker) != nil, "not delivered\n\(smtpd.logTail())")
            }
        }
    }
}
