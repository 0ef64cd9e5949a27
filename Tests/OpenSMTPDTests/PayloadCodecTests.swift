@testable import OpenSMTPD
import Testing

@Suite("Payload values and filter messages")
struct PayloadCodecTests {
    @Test("integers, ids, strings and mailaddr use the mproc layout")
    func values() throws {
        var writer = PayloadWriter()
        writer.appendUInt32(0x0102_0304)
        writer.appendInt32(-2)
        writer.appendUInt64(0x1122_3344_5566_7788)
        writer.appendString("hi")
        writer.appendMailAddress(MailAddress(user: "u", domain: "d"))
        let bytes = writer.bytes
        #expect(Array(bytes[0..<8]) == [0x04, 0x03, 0x02, 0x01, 0xfe, 0xff, 0xff, 0xff])
        #expect(Array(bytes[8..<16]) == [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11])
        #expect(Array(bytes[16..<19]) == [0x68, 0x69, 0x00])
        #expect(bytes.count == 19 + 512)
        #expect(bytes[19] == UInt8(ascii: "u") && bytes[19 + 256] == UInt8(ascii: "d"))

        var reader = PayloadReader(bytes, context: "test")
        #expect(try reader.readUInt32() == 0x0102_0304)
        #expect(try reader.readInt32() == -2)
        #expect(try reader.readUInt64() == 0x1122_3344_5566_7788)
        #expect(try reader.readString() == "hi")
        #expect(try reader.readMailAddress() == MailAddress(user: "u", domain: "d"))
        try reader.finish()
    }

    @Test("the string reader consumes the NUL (the Go package opensmtpd.v52 does not)")
    func stringConsumesTerminator() throws {
        var reader = PayloadReader([0x61, 0x00, 0x05, 0x00, 0x00, 0x00], context: "test")
        #expect(try reader.readString() == "a")
        #expect(try reader.readUInt32() == 5)
    }

    @Test(
        "every daemon message survives encode and decode",
        arguments: [
            DaemonFilterMessage.register(version: 52, name: "rules"),
            .event(session: 0xdead_beef, event: .txRollback),
            .query(
                session: 1, queryID: 2,
                query: .connect(
                    ConnectQuery(
                        local: Sockaddr(ipv4: "198.51.100.1", port: 25)!, remote: Sockaddr(ipv6: "2001:db8::7", port: 40000)!, hostname: "h.example"))),
            .query(session: 1, queryID: 3, query: .helo("mx.example")),
            .query(session: 1, queryID: 4, query: .mail(MailAddress(user: "", domain: ""))),
            .query(session: 1, queryID: 5, query: .rcpt(MailAddress(user: "bob", domain: "example.net"))),
            .query(session: 1, queryID: 6, query: .data),
            .query(session: 1, queryID: 7, query: .eom(dataLength: 12345)),
            .pipe(session: 9, sink: 17),
        ])
    func roundTrip(_ message: DaemonFilterMessage) throws {
        #expect(try DaemonFilterMessage(frame: message.frame()) == message)
    }

    @Test("responses are encoded in the layout smtpd/filter.c reads")
    func responseLayout() {
        let accept = FilterReply.response(queryID: 0x11, type: .helo, dataLength: nil, status: .ok, code: 0, line: nil).frame()
        #expect(accept.payload == [0x11, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let eom = FilterReply.response(queryID: 1, type: .eom, dataLength: 300, status: .fail, code: 554, line: "no").frame()
        #expect(eom.payload == [1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0x2c, 0x01, 0, 0, 1, 0, 0, 0, 0x2a, 0x02, 0, 0, 0x6e, 0x6f, 0])
        let register = FilterReply.register(hooks: [.helo, .dataLine], flags: 0).frame()
        #expect(register.type == 0 && register.payload == [0x02, 0x04, 0, 0, 0, 0, 0, 0])
    }

    @Test("reply text cannot inject SMTP lines and is capped")
    func sanitizedText() {
        #expect(FilterReply.sanitizedLine("a\r\n250 ok\0b") == "a  250 ok b")
        #expect(FilterReply.sanitizedLine(String(repeating: "é", count: 800)).utf8.count == 1000)
    }
}
