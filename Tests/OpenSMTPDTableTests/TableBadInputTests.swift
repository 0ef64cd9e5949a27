import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// Malformed input from the daemon ends the table with a clear message and exit status 1
/// within a second: no trap, no hang, no reply.
@Suite("Bad input to a table")
struct TableBadInputTests {
    static func frame(_ type: TableWire.MessageType, _ payload: [UInt8], hasDescriptor: Bool = false) -> [UInt8] {
        Wire.frame(type: type.rawValue, payload: payload, hasDescriptor: hasDescriptor)
    }

    static let cases: [MalformedInput] = [
        MalformedInput(
            name: "truncated frame", bytes: Array(frame(.check, TableWire.keyedPayload(service: 1, key: "root")).prefix(20)),
            closeAfter: true, message: "channel closed in the middle of a frame (20 bytes buffered)"),
        MalformedInput(
            name: "length below the header", bytes: le32(UInt32(5)) + [0x0c, 0x00, 0, 0] + le32(UInt32(0)) + le32(UInt32(1)),
            message: "imsg frame length 12 is below the 16-byte header"),
        MalformedInput(
            name: "length above the maximum",
            bytes: le32(UInt32(5)) + [0x01, 0x40, 0, 0] + le32(UInt32(0)) + le32(UInt32(1)) + [UInt8](repeating: 0, count: 64),
            message: "imsg frame length 16385 exceeds the maximum of 16384 bytes"),
        MalformedInput(
            name: "unknown message type", bytes: Wire.frame(type: 9, payload: []),
            message: "unknown imsg type 9"),
        MalformedInput(
            name: "PROC_TABLE_OK from the daemon", bytes: frame(.ok, le32(Int32(1))),
            message: "unexpected message: PROC_TABLE_OK is only sent by tables"),
        MalformedInput(
            name: "PROC_TABLE_FAIL from the daemon", bytes: frame(.fail, []),
            message: "unexpected message: PROC_TABLE_FAIL is only sent by tables"),
        MalformedInput(
            name: "UPDATE with a payload", bytes: frame(.update, [1, 2]),
            message: "PROC_TABLE_UPDATE: 2 unexpected bytes after the last field"),
        MalformedInput(
            name: "CLOSE with a payload", bytes: frame(.close, [1]),
            message: "PROC_TABLE_CLOSE: 1 unexpected bytes after the last field"),
        MalformedInput(
            name: "CHECK key without NUL", bytes: frame(.check, le32(Int32(1)) + le64(0) + Array("root".utf8)),
            message: "PROC_TABLE_CHECK: string without terminating NUL"),
        MalformedInput(
            name: "CHECK without a key", bytes: frame(.check, le32(Int32(1)) + le64(0)),
            message: "PROC_TABLE_CHECK: string without terminating NUL"),
        MalformedInput(
            name: "CHECK with bytes after the key", bytes: frame(.check, TableWire.keyedPayload(service: 1, key: "a") + Array("xyz".utf8)),
            message: "PROC_TABLE_CHECK: 3 unexpected bytes after the last field"),
        MalformedInput(
            name: "LOOKUP service cut short", bytes: frame(.lookup, [1, 0]),
            message: "PROC_TABLE_LOOKUP: payload too short (needed 4 more bytes, 2 left)"),
        MalformedInput(
            name: "LOOKUP params count beyond the payload", bytes: frame(.lookup, le32(Int32(1)) + le64(1 << 40) + Array("k\0v\0root\0".utf8)),
            message: "PROC_TABLE_LOOKUP params count: length field 1099511627776 out of range"),
        MalformedInput(
            name: "LOOKUP params value without NUL", bytes: frame(.lookup, le32(Int32(1)) + le64(2) + Array("k\0v\0k2\0vv".utf8)),
            message: "PROC_TABLE_LOOKUP: string without terminating NUL"),
        MalformedInput(
            name: "FETCH without params count", bytes: frame(.fetch, le32(Int32(32)) + [0, 0]),
            message: "PROC_TABLE_FETCH: payload too short (needed 8 more bytes, 2 left)"),
        MalformedInput(
            name: "FETCH with a key", bytes: frame(.fetch, TableWire.keyedPayload(service: 32, key: "x")),
            message: "PROC_TABLE_FETCH: 2 unexpected bytes after the last field"),
        MalformedInput(
            name: "flagged frame without a descriptor", bytes: frame(.update, [], hasDescriptor: true),
            message: "imsg type 4 is flagged with a descriptor but none arrived"),
    ]

    @Test("ends with a clear message and exit status 1 within a second", arguments: cases)
    func endsCleanly(_ input: MalformedInput) throws {
        let smtpd = try startOpenedExample()
        let process = try #require(smtpd.process)
        try input.send(over: smtpd.channel)
        let status = process.waitForExit(timeout: 1)
        #expect(status == .exited(1), "\(input.name): \(status.map(String.init(describing:)) ?? "still running")")
        #expect(process.stderrText.contains(input.message), "stderr was: \(process.stderrText)")
        #expect(try noReply(smtpd), "no reply to a malformed request")
    }

    @Test(
        "bad OPEN payloads end the table",
        arguments: [
            (Array(TableWire.openPayload(name: "x").prefix(100)), "PROC_TABLE_OPEN: payload too short (needed 2048 more bytes, 96 left)"),
            (TableWire.openPayload(name: "x") + [0], "PROC_TABLE_OPEN: 1 unexpected bytes after the last field"),
            (le32(UInt32(2)) + [UInt8](repeating: 0x41, count: 2048), "PROC_TABLE_OPEN: string without terminating NUL"),
            (le32(UInt32(1)), "table API version mismatch: this table speaks 2, the daemon 1"),
        ])
    func badOpen(_ payload: [UInt8], _ message: String) throws {
        let smtpd = try startExample()
        try smtpd.channel.send(type: TableWire.MessageType.open.rawValue, payload: payload)
        let process = try #require(smtpd.process)
        #expect(process.waitForExit(timeout: 1) == .exited(1))
        #expect(process.stderrText.contains(message), "stderr was: \(process.stderrText)")
    }

    @Test("a descriptor sent with a request ends the table")
    func descriptorAttached() throws {
        let smtpd = try startOpenedExample()
        let process = try #require(smtpd.process)
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        try smtpd.channel.send(type: TableWire.MessageType.update.rawValue, payload: [], attaching: fd)
        #expect(process.waitForExit(timeout: 1) == .exited(1))
        #expect(process.stderrText.contains("imsg type 4 carries a descriptor it must not carry"), "stderr was: \(process.stderrText)")
    }
}
