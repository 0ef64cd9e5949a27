import SMTPDTestDouble
import Testing

@Suite("Register handshake")
struct HandshakeTests {
    @Test("answers REGISTER with exactly the hooks of its callbacks")
    func registerAnswerIsByteExact() throws {
        let process = try FilterProcess(executable: FilterProcess.builtExecutable(named: "filter-example"), name: "example")
        let smtpd = SMTPDDouble(process: process)
        let answer = try smtpd.register(name: "example")
        // type 0, len 24, flags 0, peerid 0, pid = the filter's pid; hooks HELO|MAIL|DATALINE
        // = 0x2|0x4|0x400, flags 0.
        let expected: [UInt8] =
            [0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
            + le32(UInt32(process.pid))
            + [0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        #expect(answer.bytes == expected)
        #expect(answer.descriptor == nil)
    }

    @Test("accepts the -v and -d flags smtpd appends, after its arguments")
    func acceptsDaemonFlags() throws {
        let (process, smtpd) = try startRegisteredExample(arguments: ["some-arg", "-v", "-d"])
        let response = try smtpd.connect(session: 1)
        #expect(response.status == 0)
        process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
    }

    @Test("returns normally when the daemon closes the channel")
    func exitsCleanlyOnClose() throws {
        let (process, _) = try startRegisteredExample()
        process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
    }

    @Test("refuses another API version with a clear message")
    func versionMismatch() throws {
        let process = try FilterProcess(executable: FilterProcess.builtExecutable(named: "filter-example"), name: "example")
        try process.channel.send(type: Wire.register, payload: Wire.registerPayload(version: 51, name: "example"))
        #expect(process.waitForExit(timeout: 1) == .exited(1))
        #expect(process.stderrText.contains("API version mismatch: this filter speaks 52, the daemon 51"))
    }
}
