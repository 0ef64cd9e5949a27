import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// The library never raises SIGPIPE, whatever the daemon's end does, without the program
/// touching its signal dispositions (filter-example leaves SIGPIPE at its default action,
/// which would end the process): smtpd no longer reading the channel ends `serve()`
/// normally, and a data sink that is gone fails only its message.
@Suite("No SIGPIPE from the library")
struct NoSIGPIPETests {
    static let example = FilterProcess.builtExecutable(named: "filter-example")

    @Test("filter API 52: the daemon stops reading the channel; serve returns, exit 0")
    func v52ChannelNotRead() throws {
        let (process, smtpd) = try startRegisteredExample()
        #expect(try smtpd.connect(session: 1).status == 0)
        smtpd.process.stopReading()
        try smtpd.sendQuery(.helo, session: 1, extra: SMTPDDouble.heloExtra("mx.example"))
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        #expect(process.stderrText.contains("smtpd stopped reading the channel (sendmsg: Broken pipe)"))
    }

    @Test("filter API 52: a data sink that is a pipe whose reader is gone fails the message (451), no SIGPIPE")
    func v52SinkPipeGone() throws {
        let (process, smtpd) = try startRegisteredExample()
        #expect(try smtpd.connect(session: 1).status == 0)
        let sink = try makeCloseOnExecPipe()
        close(sink.read)
        var writer = WireWriter()
        writer.u64(1)
        try smtpd.process.send(type: Wire.pipe, payload: writer.bytes, attaching: sink.write)
        close(sink.write)
        let answer = try smtpd.process.receiveFrame()
        let input = try #require(answer.descriptor)
        let message = Array("Subject: x\n\nbody\n".utf8)
        #expect(message.withUnsafeBytes { send(input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == message.count)
        close(input)
        let eom = try smtpd.ask(.eom, session: 1, extra: SMTPDDouble.eomExtra(UInt32(message.count)))
        #expect(eom.status == 1 && eom.code == 451)
        #expect(try smtpd.ask(.helo, session: 1, extra: SMTPDDouble.heloExtra("test")).status == 1)
        #expect(process.waitForExit(timeout: 0) == nil)
    }

    /// filter-example on the line protocol, handshake done.
    func lineExample(onPipes: Bool) throws -> (FilterProcess, LineDaemonDouble) {
        let process = try FilterProcess(
            executable: Self.example, name: "filter-example",
            channelOnStandardOutput: !onPipes, onPipes: onPipes)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        #expect(try smtpd.query("helo", session: 1, parameters: "test").hasSuffix("|reject|550 5.7.1 Hello rejected"))
        return (process, smtpd)
    }

    @Test("line protocol on a socket: the daemon stops reading; serve returns, exit 0")
    func lineSocketNotRead() throws {
        let (process, smtpd) = try lineExample(onPipes: false)
        smtpd.process.channel.stopReading()
        try smtpd.request("helo", session: 1, token: smtpd.token(), parameters: Array("mx.example".utf8))
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        #expect(process.stderrText.contains("smtpd stopped reading the channel (write: Broken pipe)"))
    }

    @Test("line protocol on pipes: the reader of stdout is gone; serve returns, exit 0")
    func linePipeNotRead() throws {
        let (process, smtpd) = try lineExample(onPipes: true)
        process.closeOutput()
        try smtpd.request("helo", session: 1, token: smtpd.token(), parameters: Array("mx.example".utf8))
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        #expect(process.stderrText.contains("smtpd stopped reading the channel (write: Broken pipe)"))
    }
}
