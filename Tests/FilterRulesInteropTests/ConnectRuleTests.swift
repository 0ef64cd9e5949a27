import Testing

extension FilterRulesInteropTests {
    /// Rules on the client's address and hostname: every test session comes from
    /// 127.0.0.1, so each rules file gets its own smtpd.
    @Suite("filter-rules under smtpd: addr and connect rules")
    struct ConnectRuleTests {
        @Test("addr 127.0.0.0/8 rejects the connection: the greeting is the rule's 554, no later stage runs")
        func addressBlock() throws {
            let rules = """
                addr 10.0.0.0/8 accept
                addr 127.0.0.0/8 reject 554 "5.7.1 Loopback refused by interop rule"

                """
            try withRealSMTPD(rules: rules) { server in
                let transcript = try server.session(SMTPSessionPlan())
                #expect(transcript.steps.first?.stage == "connect" && transcript.steps.first?.code == 554, "\(transcript)\n\(server.logTail())")
                #expect(transcript.steps.first?.text == "5.7.1 Loopback refused by interop rule", "\(transcript)")
                #expect(!transcript.steps.contains { ["ehlo", "mail", "rcpt"].contains($0.stage) }, "\(transcript)")
                #expect(
                    server.waitForLog("\(server.rulesPath):2 reject 554 5.7.1 Loopback refused by interop rule", timeout: 5),
                    "\(server.logTail())")
            }
        }

        @Test("a connect rule on the hostname smtpd resolved (localhost) disconnects with the rule's 421")
        func hostname() throws {
            let rules = """
                connect /^localhost$/i disconnect 421 "4.7.0 localhost disconnected by interop rule"

                """
            try withRealSMTPD(rules: rules) { server in
                let transcript = try server.session(SMTPSessionPlan())
                try #require(
                    server.log.contains("address=127.0.0.1 host=localhost"),
                    "smtpd resolved 127.0.0.1 to another name than localhost (see /etc/hosts)\n\(server.logTail())")
                #expect(transcript.steps.first?.stage == "connect" && transcript.steps.first?.code == 421, "\(transcript)\n\(server.logTail())")
                #expect(transcript.steps.first?.text == "4.7.0 localhost disconnected by interop rule", "\(transcript)")
                // 421 closes the connection: not even QUIT gets an answer.
                #expect(transcript.steps.count == 1, "\(transcript)")
                #expect(
                    server.waitForLog("\(server.rulesPath):1 disconnect 421 4.7.0 localhost disconnected by interop rule", timeout: 5),
                    "\(server.logTail())")
            }
        }
    }
}
