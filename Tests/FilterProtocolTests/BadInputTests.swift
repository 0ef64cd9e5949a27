import SMTPDTestDouble
import Testing

/// Malformed input from the daemon ends the filter with a clear message and a non-zero
/// status within a second: no trap (a signal), no hang.
@Suite("Bad input from the daemon")
struct BadInputTests {
    static let session = le64(42)

    static let cases: [MalformedInput] = [
        MalformedInput(
            name: "truncated frame", bytes: Array(Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: 42, event: .connect)).prefix(20)),
            closeAfter: true, message: "channel closed in the middle of a frame"),
        MalformedInput(
            name: "length below the header", bytes: le32(Wire.event) + [0x08, 0x00, 0, 0] + le32(0) + le32(1),
            closeAfter: false, message: "imsg frame length 8 is below the 16-byte header"),
        MalformedInput(
            name: "length above the maximum", bytes: le32(Wire.event) + [0x01, 0x40, 0, 0] + le32(0) + le32(1) + [UInt8](repeating: 0, count: 64),
            closeAfter: false, message: "imsg frame length 16385 exceeds the maximum of 16384 bytes"),
        MalformedInput(
            name: "unknown imsg type", bytes: Wire.frame(type: 77, payload: []),
            closeAfter: false, message: "unknown imsg type 77"),
        MalformedInput(
            name: "response type sent by the daemon", bytes: Wire.frame(type: Wire.response, payload: le64(1)),
            closeAfter: false, message: "IMSG_FILTER_RESPONSE is only sent by filters"),
        MalformedInput(
            name: "event payload too short", bytes: Wire.frame(type: Wire.event, payload: session + [0x00]),
            closeAfter: false, message: "IMSG_FILTER_EVENT: payload too short"),
        MalformedInput(
            name: "event payload too long", bytes: Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: 42, event: .reset) + [0xaa, 0xbb]),
            closeAfter: false, message: "IMSG_FILTER_EVENT: 2 unexpected bytes after the last field"),
        MalformedInput(
            name: "unknown event", bytes: Wire.frame(type: Wire.event, payload: session + le32(9)),
            closeAfter: false, message: "unknown filter event 9"),
        MalformedInput(
            name: "unknown query", bytes: Wire.frame(type: Wire.query, payload: session + le64(1) + le32(6)),
            closeAfter: false, message: "unknown filter query 6"),
        MalformedInput(
            name: "HELO string without NUL",
            bytes: Wire.frame(type: Wire.query, payload: Wire.queryPayload(session: 42, queryID: 1, query: .helo, extra: Array("mx.example".utf8))),
            closeAfter: false, message: "QUERY_HELO: string without terminating NUL"),
        MalformedInput(
            name: "MAIL payload too short",
            bytes: Wire.frame(type: Wire.query, payload: Wire.queryPayload(session: 42, queryID: 1, query: .mail, extra: [UInt8](repeating: 0, count: 300))),
            closeAfter: false, message: "QUERY_MAIL: payload too short"),
        MalformedInput(
            name: "EOM payload too long",
            bytes: Wire.frame(type: Wire.query, payload: Wire.queryPayload(session: 42, queryID: 1, query: .eom, extra: le32(5) + [1])),
            closeAfter: false, message: "QUERY_EOM: 1 unexpected bytes after the last field"),
        MalformedInput(
            name: "sockaddr length out of range",
            bytes: Wire.frame(type: Wire.query, payload: Wire.queryPayload(session: 42, queryID: 1, query: .connect, extra: le64(5000))),
            closeAfter: false, message: "QUERY_CONNECT sockaddr: length field 5000 out of range"),
        MalformedInput(
            name: "PIPE not flagged with a descriptor", bytes: Wire.frame(type: Wire.pipe, payload: session),
            closeAfter: false, message: "imsg type 3 is flagged with a descriptor but none arrived"),
        MalformedInput(
            name: "PIPE flagged but no descriptor sent", bytes: Wire.frame(type: Wire.pipe, payload: session, hasDescriptor: true),
            closeAfter: false, message: "imsg type 3 is flagged with a descriptor but none arrived"),
    ]

    @Test("ends with a clear message and exit status 1", arguments: cases)
    func endsCleanly(_ input: MalformedInput) throws {
        let (process, _) = try startRegisteredExample()
        try input.send(over: process.channel)
        let status = process.waitForExit(timeout: 1)
        #expect(status == .exited(1), "\(input.name): \(status.map(String.init(describing:)) ?? "still running")")
        #expect(process.stderrText.contains(input.message), "stderr was: \(process.stderrText)")
    }

    @Test("a query before REGISTER is refused")
    func queryBeforeRegister() throws {
        let process = try FilterProcess(executable: FilterProcess.builtExecutable(named: "filter-example"), name: "example")
        try process.channel.send(type: Wire.query, payload: Wire.queryPayload(session: 1, queryID: 1, query: .data))
        #expect(process.waitForExit(timeout: 1) == .exited(1))
        #expect(process.stderrText.contains("before IMSG_FILTER_REGISTER"))
    }
}
