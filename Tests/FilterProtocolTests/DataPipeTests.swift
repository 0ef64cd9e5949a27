import SMTPDTestDouble
import Testing

@Suite("Message data pipe")
struct DataPipeTests {
    /// A message with the awkward cases: a Received header folded over lines, empty lines,
    /// a 100 KB line, bytes that are not UTF-8, a lone dot-line (already unstuffed) and CR
    /// bytes, ending without a final newline.
    static let awkwardMessage: [UInt8] = {
        var message = Array("Received: from client.example (client.example [192.0.2.7])\n\tby mx.example.org;\n".utf8)
        message += Array("Subject: =?utf-8?q?caf=C3=A9?=\n\n".utf8)
        message += Array(repeating: UInt8(ascii: "x"), count: 100_000) + [0x0a]
        message += [0xff, 0xfe, 0x80, 0x00, 0x41, 0x0d, 0x0a]
        message += Array(".\n\n..double\n".utf8)
        message += Array(repeating: UInt8(ascii: "y"), count: 12_000)
        return message
    }()

    func openSession(_ smtpd: SMTPDDouble, _ session: UInt64) throws {
        #expect(try smtpd.connect(session: session).status == 0)
        try smtpd.event(.txBegin, session: session)
        #expect(try smtpd.ask(.data, session: session).status == 0)
    }

    @Test(
        "passes data through byte for byte; the EOM answer carries the bytes written, whatever the EOM timing",
        arguments: [EOMTiming.smtpdOrder, .afterInputEOF, .beforeInputEOF])
    func byteIdenticalRoundTrip(timing: EOMTiming) throws {
        let (_, smtpd) = try startRegisteredExample()
        try openSession(smtpd, 7)
        let result = try smtpd.pushMessage(Self.awkwardMessage, session: 7, timing: timing)
        #expect(result.output == Self.awkwardMessage)
        #expect(result.response.status == 0)
        #expect(result.response.dataLength == UInt32(Self.awkwardMessage.count))
        #expect(result.answeredBeforeInputEOF == false)
    }

    @Test("EOM response frame is byte-exact")
    func eomGolden() throws {
        let (process, smtpd) = try startRegisteredExample()
        try openSession(smtpd, 9)
        let message = Array("Subject: hi\n\nhello\n".utf8)
        let result = try smtpd.pushMessage(message, session: 9)
        let expected = QueryResponseTests.responseFrame(
            pid: process.pid, qid: result.response.queryID, type: 5,
            status: 0, code: 0, dataLength: UInt32(message.count))
        #expect(result.frame.bytes == expected)
        #expect(result.output == message)
    }

    @Test("several messages in one session, and an empty message")
    func severalMessages() throws {
        let (_, smtpd) = try startRegisteredExample()
        try openSession(smtpd, 11)
        for message in [Array("a\n".utf8), [], Array("b\nc\n".utf8)] {
            let result = try smtpd.pushMessage(message, session: 11)
            #expect(result.output == message)
            #expect(result.response.dataLength == UInt32(message.count))
            try smtpd.event(.txCommit, session: 11)
            try smtpd.event(.txBegin, session: 11)
            #expect(try smtpd.ask(.data, session: 11).status == 0)
        }
    }

    @Test("a multi-megabyte message passes under flow control")
    func largeMessage() throws {
        let (_, smtpd) = try startRegisteredExample()
        try openSession(smtpd, 12)
        var message: [UInt8] = []
        for index in 0..<60_000 { message += Array("line \(index) with some text to make it longer than usual\n".utf8) }
        let result = try smtpd.pushMessage(message, session: 12, timeout: 30)
        #expect(result.output.count == message.count)
        #expect(result.output == message)
        #expect(result.response.dataLength == UInt32(message.count))
    }
}
