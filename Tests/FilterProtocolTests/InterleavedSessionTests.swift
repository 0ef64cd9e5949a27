import SMTPDTestDouble
import Testing

@Suite("Interleaved sessions")
struct InterleavedSessionTests {
    @Test("100 sessions interleaved stage by stage each get exactly their answers")
    func hundredSessions() throws {
        let (_, smtpd) = try startRegisteredExample()
        let sessions = (1...100).map { UInt64(0xabc0_0000 + $0) }
        for session in sessions { try smtpd.event(.connect, session: session) }

        /// Sends one query per session, then collects all answers (in any order).
        func stage(_ query: Wire.Query, extra: (UInt64) -> [UInt8]) throws -> [UInt64: ParsedResponse] {
            var pending: [UInt64: UInt64] = [:]
            for session in sessions { pending[try smtpd.sendQuery(query, session: session, extra: extra(session))] = session }
            var answers: [UInt64: ParsedResponse] = [:]
            while !pending.isEmpty {
                let frame = try smtpd.process.receiveFrame()
                let response = try #require(ParsedResponse(frame))
                let removed = pending.removeValue(forKey: response.queryID)
                let session = try #require(removed, "answer to an unknown query \(response)")
                #expect(response.type == query.rawValue)
                answers[session] = response
            }
            return answers
        }

        let connects = try stage(.connect) { _ in SMTPDDouble.connectExtra(hostname: "client.example") }
        #expect(connects.values.allSatisfy { $0.status == 0 })
        // Every third session says HELO test and must be the one rejected.
        let helos = try stage(.helo) { $0 % 3 == 0 ? SMTPDDouble.heloExtra("test") : SMTPDDouble.heloExtra("client.example") }
        for (session, response) in helos { #expect(response.status == (session % 3 == 0 ? 1 : 0)) }
        let mails = try stage(.mail) {
            $0 % 2 == 0 ? SMTPDDouble.mailaddrExtra(user: "u", domain: "") : SMTPDDouble.mailaddrExtra(user: "u", domain: "d.example")
        }
        for (session, response) in mails { #expect(response.code == (session % 2 == 0 ? 553 : 0)) }
        let rcpts = try stage(.rcpt) { _ in SMTPDDouble.mailaddrExtra(user: "rcpt", domain: "example.org") }
        #expect(rcpts.count == 100 && rcpts.values.allSatisfy { $0.status == 0 })
        for session in sessions { try smtpd.event(.disconnect, session: session) }
        #expect(try smtpd.process.frameArrives(within: 0.1) == false)
    }
}
