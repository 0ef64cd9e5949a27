import SMTPDTestDouble
import Testing

@Suite("Table OPEN handshake and CLOSE")
struct TableHandshakeTests {
    @Test("answers OPEN with an empty PROC_TABLE_OK, byte for byte")
    func openReplyIsByteExact() throws {
        let smtpd = try startExample()
        let reply = try smtpd.open(name: "example")
        // type 0 (PROC_TABLE_OK), len 16, flags 0, peerid 0, pid = the table's pid.
        let pid = UInt32(smtpd.process!.pid)
        #expect(reply.bytes == [0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0] + le32(pid))
    }

    @Test("serves a non-blocking descriptor as well as smtpd's blocking one")
    func nonBlockingDescriptor() throws {
        let process = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "table-example"), name: "example",
            nonBlocking: true)
        let smtpd = TableDouble(process: process)
        try smtpd.open(name: "example")
        for _ in 0..<50 {
            #expect(try smtpd.lookup(service: TableWire.Service.alias.rawValue, key: "root").value == "admin@example.org")
        }
        try smtpd.close()
        #expect(process.waitForExit(timeout: 1) == .exited(0))
    }

    @Test("refuses another API version with a clear message and exit 1")
    func versionMismatch() throws {
        let smtpd = try startExample()
        try smtpd.channel.send(type: TableWire.MessageType.open.rawValue, payload: TableWire.openPayload(version: 3, name: "example"))
        let process = try #require(smtpd.process)
        #expect(process.waitForExit(timeout: 1) == .exited(1))
        #expect(process.stderrText.contains("table API version mismatch: this table speaks 2, the daemon 3"), "\(process.stderrText)")
    }

    @Test("CLOSE ends serve() normally: the close callback runs and the table exits 0")
    func closeEndsNormally() throws {
        let smtpd = try startOpenedExample()
        #expect(try smtpd.update().result == 1)
        try smtpd.close()
        let process = try #require(smtpd.process)
        #expect(process.waitForExit(timeout: 1) == .exited(0))
        #expect(process.stderrText.contains("closed after 1 update(s)"))
        #expect(try noReply(smtpd), "CLOSE has no reply")
    }

    @Test("the daemon closing the channel ends serve() normally")
    func endOfStreamEndsNormally() throws {
        let smtpd = try startOpenedExample()
        smtpd.channel.closeChannel()
        #expect(smtpd.process?.waitForExit(timeout: 1) == .exited(0))
    }

    @Test("a request before OPEN is refused")
    func requestBeforeOpen() throws {
        let smtpd = try startExample()
        try smtpd.channel.send(type: TableWire.MessageType.check.rawValue, payload: TableWire.keyedPayload(service: 1, key: "root"))
        let process = try #require(smtpd.process)
        #expect(process.waitForExit(timeout: 1) == .exited(1))
        #expect(process.stderrText.contains("unexpected message: PROC_TABLE_CHECK before PROC_TABLE_OPEN"))
    }

    @Test("a second OPEN is refused")
    func secondOpen() throws {
        let smtpd = try startOpenedExample()
        try smtpd.channel.send(type: TableWire.MessageType.open.rawValue, payload: TableWire.openPayload(name: "example"))
        let process = try #require(smtpd.process)
        #expect(process.waitForExit(timeout: 1) == .exited(1))
        #expect(process.stderrText.contains("unexpected message: a second PROC_TABLE_OPEN"))
    }
}
