import Testing

extension FilterRulesInteropTests {
    /// One rule per stage: the client sees the rule's code at that stage and no other.
    @Suite("filter-rules under smtpd: a rule at each stage")
    struct StageRuleTests {
        /// A session that one rule refuses.
        struct Case: CustomStringConvertible {
            let description: String
            let plan: SMTPSessionPlan
            let stage: String
            let code: Int
            let text: String
            /// The refusing rule's stage keyword, as the log line names it.
            let ruleStage: String
            /// The input the rule matched, as the log line quotes it.
            let matched: String
            /// The marker of the message the session sends, if it sends one.
            let marker: String?

            /// A session that stops at `stage`, before it sends a message.
            init(_ description: String, plan: SMTPSessionPlan, stage: String, ruleStage: String, matched: String, code: Int, text: String) {
                self.description = description
                self.plan = plan
                self.stage = stage
                self.ruleStage = ruleStage
                self.matched = matched
                self.code = code
                self.text = text
                marker = nil
            }

            /// A session that sends `message`, refused after the final dot.
            init(_ description: String, message: InteropMessage, ruleStage: String, matched: String, code: Int, text: String) {
                self.description = description
                plan = SMTPSessionPlan(message: message.bytes)
                stage = "message"
                self.ruleStage = ruleStage
                self.matched = matched
                self.code = code
                self.text = text
                marker = message.marker
            }
        }

        static let cases: [Case] = {
            let header = InteropMessage.sample(subject: "header-reject")
            return [
                Case(
                    "HELO", plan: SMTPSessionPlan(greeting: "helo", name: "helo-reject.example"),
                    stage: "helo", ruleStage: "helo", matched: "helo-reject.example",
                    code: 550, text: "5.7.1 HELO refused by interop rule"),
                Case(
                    "EHLO", plan: SMTPSessionPlan(greeting: "ehlo", name: "ehlo-tempfail.example"),
                    stage: "ehlo", ruleStage: "helo", matched: "ehlo-tempfail.example",
                    code: 451, text: "4.7.1 EHLO deferred by interop rule"),
                Case(
                    "MAIL FROM", plan: SMTPSessionPlan(mail: "someone@mail-reject.example"),
                    stage: "mail", ruleStage: "mail", matched: "someone@mail-reject.example",
                    code: 553, text: "5.7.1 Sender refused by interop rule"),
                Case(
                    "RCPT TO", plan: SMTPSessionPlan(recipients: ["rcpt-reject@example.net"]),
                    stage: "rcpt", ruleStage: "rcpt", matched: "rcpt-reject@example.net",
                    code: 550, text: "5.7.1 Recipient refused by interop rule"),
                Case(
                    "header", message: header, ruleStage: "header", matched: "Subject: header-reject \(header.marker)",
                    code: 554, text: "5.7.1 Header refused by interop rule"),
                Case(
                    "body", message: InteropMessage.sample(body: ["please body-reject me"]), ruleStage: "body",
                    matched: "please body-reject me", code: 552, text: "5.7.1 Body refused by interop rule"),
                Case(
                    "data line", message: InteropMessage.sample(body: ["X-Dataline-Tempfail: in the body"]), ruleStage: "dataline",
                    matched: "X-Dataline-Tempfail: in the body", code: 452, text: "4.7.1 Data line deferred by interop rule"),
            ]
        }()

        @Test("each stage's rule answers its code at that stage, logs its rule, and refused messages are not delivered")
        func everyStage() throws {
            try withRealSMTPD(rules: StageRules.text) { server in
                for refused in Self.cases {
                    let transcript = try server.session(refused.plan)
                    let refusal = transcript.refusal
                    #expect(
                        refusal?.stage == refused.stage && refusal?.code == refused.code && refusal?.text == refused.text,
                        "\(refused): \(transcript)\n\(server.logTail())")
                    let earlier = transcript.steps.prefix { $0.stage != refused.stage }
                    #expect(earlier.allSatisfy { $0.code < 400 } && earlier.first?.stage == "connect", "\(refused): \(transcript)")
                    let rule = "\(server.rulesPath):\(StageRules.line(of: refused.text))"
                    // smtpd puts its time and the filter's name in front; the filter adds only its level.
                    let action = refused.code < 500 ? "tempfail" : "reject"
                    #expect(server.waitForLog(": notice: session ", timeout: 5), "\(server.logTail())")
                    #expect(
                        server.waitForLog(
                            " \(refused.ruleStage) \(rule) \(action) \(refused.code) \(refused.text), matched \"\(refused.matched)\"\n", timeout: 5),
                        "\(refused): no log line for \(rule)\n\(server.logTail())")
                }
                // A message accepted after the refused ones: once it is delivered, none of those was.
                let message = InteropMessage.sample()
                let accepted = try server.session(SMTPSessionPlan(message: message.bytes))
                #expect(accepted.refusal == nil && accepted.reply(at: "message")?.code == 250, "\(accepted)\n\(server.logTail())")
                #expect(server.waitForDelivery(containing: message.marker) != nil, "not delivered\n\(server.logTail())")
                let delivered = server.deliveredMessages()
                for refused in Self.cases {
                    guard let marker = refused.marker else { continue }
                    #expect(!delivered.contains { $0.contains(marker) }, "\(refused): the refused message was delivered")
                }
            }
        }
    }
}
