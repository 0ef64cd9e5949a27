import SMTPDTestDouble
import Testing

/// Golden vectors: every query type's response, byte for byte, after the 16-byte header.
@Suite("Query responses")
struct QueryResponseTests {
    static let session: UInt64 = 0x0102_0304_0506_0708

    /// The bytes of a response frame as smtpd/filter.c reads it.
    static func responseFrame(pid: Int32, qid: UInt64, type: UInt32, status: UInt32, code: UInt32, line: String? = nil, dataLength: UInt32? = nil) -> [UInt8] {
        var payload = le64(qid) + le32(type)
        if let dataLength { payload += le32(dataLength) }
        payload += le32(status) + le32(code)
        if let line { payload += Array(line.utf8) + [0] }
        let length = UInt16(16 + payload.count)
        return le32(4) + [UInt8(length & 0xff), UInt8(length >> 8), 0, 0] + le32(0) + le32(UInt32(pid)) + payload
    }

    @Test("CONNECT without a callback is accepted")
    func connect() throws {
        let (process, smtpd) = try startRegisteredExample()
        try smtpd.event(.connect, session: Self.session)
        let qid = try smtpd.sendQuery(.connect, session: Self.session, extra: SMTPDDouble.connectExtra(hostname: "mx.example.org"))
        let (frame, _) = try smtpd.expectResponse(to: qid, .connect)
        #expect(frame.bytes == Self.responseFrame(pid: process.pid, qid: qid, type: 0, status: 0, code: 0))
    }

    @Test("HELO example from the fact sheet is accepted, byte for byte")
    func heloAccepted() throws {
        let (process, smtpd) = try startRegisteredExample()
        try smtpd.event(.connect, session: Self.session)
        // The fact sheet's constructed example: session 0x0102030405060708, qid 0x11, "mx.example".
        let query: [UInt8] = [
            0x02, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x11, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0,
            0x6d, 0x78, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x00,
        ]
        try process.channel.sendBytes(query)
        let (frame, _) = try smtpd.expectResponse(to: 0x11, .helo)
        let expected: [UInt8] =
            [0x04, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] + le32(UInt32(process.pid))
            + [0x11, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(frame.bytes == expected)
    }

    @Test("HELO test is rejected: status ok in reject() is sent as FILTER_FAIL, code 0, no text")
    func heloRejected() throws {
        let (process, smtpd) = try startRegisteredExample()
        try smtpd.event(.connect, session: Self.session)
        let qid = try smtpd.sendQuery(.helo, session: Self.session, extra: SMTPDDouble.heloExtra("test"))
        let (frame, _) = try smtpd.expectResponse(to: qid, .helo)
        #expect(frame.bytes == Self.responseFrame(pid: process.pid, qid: qid, type: 1, status: 1, code: 0))
    }

    @Test("MAIL with a domain is accepted; without a domain it is rejected with 553 and text")
    func mail() throws {
        let (process, smtpd) = try startRegisteredExample()
        try smtpd.event(.connect, session: Self.session)
        let good = try smtpd.sendQuery(.mail, session: Self.session, extra: SMTPDDouble.mailaddrExtra(user: "alice", domain: "example.org"))
        #expect(try smtpd.expectResponse(to: good, .mail).frame.bytes == Self.responseFrame(pid: process.pid, qid: good, type: 2, status: 0, code: 0))
        let bad = try smtpd.sendQuery(.mail, session: Self.session, extra: SMTPDDouble.mailaddrExtra(user: "alice", domain: ""))
        #expect(
            try smtpd.expectResponse(to: bad, .mail).frame.bytes
                == Self.responseFrame(pid: process.pid, qid: bad, type: 2, status: 1, code: 553, line: "5.1.8 Sender address has no domain"))
        let bounce = try smtpd.sendQuery(.mail, session: Self.session, extra: SMTPDDouble.mailaddrExtra(user: "", domain: ""))
        #expect(try smtpd.expectResponse(to: bounce, .mail).response.status == 0)
    }

    @Test("RCPT and DATA without callbacks are accepted")
    func rcptAndData() throws {
        let (process, smtpd) = try startRegisteredExample()
        try smtpd.event(.connect, session: Self.session)
        let rcpt = try smtpd.sendQuery(.rcpt, session: Self.session, extra: SMTPDDouble.mailaddrExtra(user: "bob", domain: "example.net"))
        #expect(try smtpd.expectResponse(to: rcpt, .rcpt).frame.bytes == Self.responseFrame(pid: process.pid, qid: rcpt, type: 3, status: 0, code: 0))
        let data = try smtpd.sendQuery(.data, session: Self.session)
        #expect(try smtpd.expectResponse(to: data, .data).frame.bytes == Self.responseFrame(pid: process.pid, qid: data, type: 4, status: 0, code: 0))
    }

    @Test("EOM without a data pipe echoes the daemon's byte count")
    func eomWithoutPipe() throws {
        let (process, smtpd) = try startRegisteredExample()
        try smtpd.event(.connect, session: Self.session)
        let eom = try smtpd.sendQuery(.eom, session: Self.session, extra: SMTPDDouble.eomExtra(1234))
        #expect(
            try smtpd.expectResponse(to: eom, .eom).frame.bytes
                == Self.responseFrame(pid: process.pid, qid: eom, type: 5, status: 0, code: 0, dataLength: 1234))
    }

    @Test("events need no answer and do not disturb the next query")
    func eventsAreSilent() throws {
        let (process, smtpd) = try startRegisteredExample()
        for event in [Wire.Event.connect, .txBegin, .txRollback, .reset, .txBegin, .txCommit] {
            try smtpd.event(event, session: Self.session)
        }
        let answer = try? smtpd.ask(.helo, session: Self.session, extra: SMTPDDouble.heloExtra("client.example"))
        #expect(answer?.status == 0, "\(process.stderrText)")
        try smtpd.event(.disconnect, session: Self.session)
        #expect(try smtpd.process.frameArrives(within: 0.1) == false)
    }
}
