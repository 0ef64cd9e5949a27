import Testing

extension FilterRulesInteropTests {
    /// junk, add-header, captures and report-only under Debian's real smtpd (the line
    /// protocol of 6.8).
    @Suite("filter-rules under smtpd: junk, add-header, captures, report-only")
    struct MessageEditInteropTests {
        static let rules = """
            helo /^junk-helo\\.example$/ junk
            body /offer code (\\w+)/ add-header "X-Offer-Code: $1"
            rcpt /^(\\w+)-unknown@example\\.net$/ reject 550 "5.1.1 <$1> is unknown here"
            helo /^watched-helo\\.example$/ warn
            """

        /// `delivered` without its leading header lines named in `names` (with their
        /// continuation lines), and the names of those it took off, in order.
        static func strippingLeadingHeaders(_ delivered: [UInt8], _ names: [String]) -> (rest: [UInt8], taken: [String]) {
            var start = 0
            var taken: [String] = []
            var inTaken = false
            while start < delivered.count {
                let end = delivered[start...].firstIndex(of: UInt8(ascii: "\n")) ?? delivered.count
                let line = String(decoding: delivered[start..<end], as: UTF8.self)
                let continues = line.first == " " || line.first == "\t"
                if continues && inTaken { start = end + 1; continue }
                guard let name = names.first(where: { line.hasPrefix($0 + ":") }) else { break }
                taken.append(line.hasPrefix("Received:") || line.hasPrefix("Return-Path:") || line.hasPrefix("Delivered-To:") ? name : line)
                inTaken = true
                start = end + 1
            }
            return (Array(delivered[min(start, delivered.count)...]), taken)
        }

        static let traceAndAdded = ["Return-Path", "Delivered-To", "Received", "X-Spam", "X-Offer-Code"]

        @Test("a junk rule at HELO: the message is delivered with X-Spam: Yes and otherwise intact")
        func junkAtHelo() throws {
            try withRealSMTPD(rules: Self.rules) { server in
                let message = InteropMessage.sample(subject: "junk helo")
                let transcript = try server.session(SMTPSessionPlan(name: "junk-helo.example", message: message.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(server.logTail())")
                let delivered = try #require(server.waitForDelivery(containing: message.marker), "not delivered\n\(server.logTail())")
                let (rest, taken) = Self.strippingLeadingHeaders(delivered, Self.traceAndAdded)
                #expect(taken.contains("X-Spam: Yes"), "\(taken)")
                let intact = rest == message.bytes
                #expect(intact, "\(rest.firstDifference(from: message.bytes))")
            }
        }

        @Test("a body rule with add-header and a capture: delivered with that header, the message otherwise byte-identical")
        func addHeaderFromTheBody() throws {
            try withRealSMTPD(rules: Self.rules) { server in
                let message = InteropMessage.sample(subject: "offer", body: ["Your offer code XK42Q is waiting."])
                let transcript = try server.session(SMTPSessionPlan(message: message.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(server.logTail())")
                let delivered = try #require(server.waitForDelivery(containing: message.marker), "not delivered\n\(server.logTail())")
                let (rest, taken) = Self.strippingLeadingHeaders(delivered, Self.traceAndAdded)
                #expect(taken.contains("X-Offer-Code: XK42Q"), "\(taken)")
                #expect(!taken.contains("X-Spam: Yes"))
                let intact = rest == message.bytes
                #expect(intact, "\(rest.firstDifference(from: message.bytes))")
                #expect(server.waitForLog(#"add-header "X-Offer-Code: XK42Q", matched "Your offer code XK42Q is waiting.""#))
            }
        }

        @Test("a reply text with a capture reaches the client; a warn rule only logs")
        func captureInTheReply() throws {
            try withRealSMTPD(rules: Self.rules) { server in
                let refused = try server.session(SMTPSessionPlan(recipients: ["bob-unknown@example.net"]))
                #expect(refused.refusal?.stage == "rcpt" && refused.refusal?.code == 550, "\(refused)")
                #expect(refused.refusal?.text.contains("5.1.1 <bob> is unknown here") == true, "\(refused)")
                let message = InteropMessage.sample(subject: "watched")
                let watched = try server.session(SMTPSessionPlan(name: "watched-helo.example", message: message.bytes))
                #expect(watched.refusal == nil, "\(watched)")
                #expect(server.waitForDelivery(containing: message.marker) != nil, "not delivered\n\(server.logTail())")
                #expect(server.waitForLog(#"warn, matched "watched-helo.example""#), "\(server.logTail())")
            }
        }

        @Test("report-only refuses nothing and logs would reject")
        func reportOnly() throws {
            let rules = "set mode report-only\nrcpt /^refused@example\\.net$/ reject 550 \"5.7.1 not you\"\n"
            try withRealSMTPD(rules: rules) { server in
                let message = InteropMessage.sample(subject: "report only")
                let transcript = try server.session(SMTPSessionPlan(recipients: ["refused@example.net"], message: message.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(server.logTail())")
                #expect(server.waitForDelivery(containing: message.marker) != nil, "not delivered\n\(server.logTail())")
                #expect(server.waitForLog(#"would reject 550 5.7.1 not you, matched "refused@example.net" (report-only)"#), "\(server.logTail())")
            }
        }
    }
}
