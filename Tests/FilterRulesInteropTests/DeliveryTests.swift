import Testing

extension FilterRulesInteropTests {
    /// Messages no rule matches pass through filter-rules' data lines untouched.
    @Suite("filter-rules under smtpd: delivery and concurrency")
    struct DeliveryTests {
        @Test("an unmatched message is delivered byte for byte (besides smtpd's trace headers)")
        func byteIdentical() throws {
            try withRealSMTPD(rules: StageRules.text) { server in
                let message = InteropMessage.sample()
                let transcript = try server.session(SMTPSessionPlan(message: message.bytes))
                #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "\(transcript)\n\(server.logTail())")
                let delivered = try #require(server.waitForDelivery(containing: message.marker), "not delivered\n\(server.logTail())")
                let content = InteropMessage.withoutTraceHeaders(delivered)
                let intact = content == message.bytes
                #expect(intact, "\(content.firstDifference(from: message.bytes))")
            }
        }

        @Test("20 concurrent clients: the 10 with a refused recipient get 550 at RCPT, the other 10 are delivered intact")
        func concurrentClients() throws {
            try withRealSMTPD(rules: StageRules.text) { server in
                let messages = (0..<20).map { _ in InteropMessage.sample(subject: "concurrent") }
                let plans = messages.enumerated().map { index, message in
                    index.isMultiple(of: 2)
                        ? SMTPSessionPlan(recipients: ["rcpt-reject-\(index)@example.net"], message: message.bytes)
                        : SMTPSessionPlan(recipients: ["concurrent-\(index)@example.net"], message: message.bytes)
                }
                let transcripts = try server.client.runConcurrently(plans)
                for (index, transcript) in transcripts.enumerated() {
                    if index.isMultiple(of: 2) {
                        #expect(transcript.refusal?.stage == "rcpt" && transcript.refusal?.code == 550, "client \(index): \(transcript)")
                    } else {
                        #expect(transcript.refusal == nil && transcript.reply(at: "message")?.code == 250, "client \(index): \(transcript)")
                    }
                }
                for (index, message) in messages.enumerated() where !index.isMultiple(of: 2) {
                    let content = server.waitForDelivery(containing: message.marker).map(InteropMessage.withoutTraceHeaders)
                    let intact = content == message.bytes
                    #expect(intact, "client \(index): \(content?.firstDifference(from: message.bytes) ?? "not delivered")\n\(server.logTail())")
                }
                #expect(server.isRunning, "smtpd died\n\(server.logTail())")
            }
        }
    }
}
