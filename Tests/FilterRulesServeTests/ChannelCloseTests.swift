import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// Every way smtpd can close the channel, on both protocols, ends `filter-rules` with the
/// status its manual gives (EXIT STATUS): 0 when the channel closes between frames or lines
/// (sessions open, a message half sent, answers not yet read), when smtpd stops reading it
/// (EPIPE, never a SIGPIPE death) or resets it (ECONNRESET); 1 when it ends inside a frame
/// or a line.
@Suite("filter-rules serve: smtpd closing the channel")
struct ChannelCloseTests {
    static let rules = "helo /^spam$/ reject\nbody /^unsubscribe$/ reject\n"

    /// A v52 filter with one session connected and greeted.
    func v52WithSession(_ extraArguments: [String] = []) throws -> (FilterProcess, SMTPDDouble, TemporaryRulesFile) {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file, extraArguments: extraArguments)
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try smtpd.ask(.helo, session: 1, extra: SMTPDDouble.heloExtra("mx.example")).status == 0)
        return (process, smtpd, file)
    }

    /// A line-protocol filter with one session connected and greeted.
    func lineWithSession(onPipes: Bool = false, _ extraArguments: [String] = []) throws -> (FilterProcess, LineDaemonDouble, TemporaryRulesFile) {
        let file = try TemporaryRulesFile(Self.rules)
        let process = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "filter-rules"),
            name: "filter-rules", arguments: [file.path] + extraArguments,
            channelOnStandardOutput: !onPipes, onPipes: onPipes)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        try smtpd.report("link-connect", session: 1, parameters: "client.example|pass|192.0.2.7:4000|192.0.2.1:25")
        #expect(try smtpd.query("helo", session: 1, parameters: "mx.example").hasSuffix("|proceed"))
        return (process, smtpd, file)
    }

    /// Waits up to 2 s until the filter's answers are waiting in the daemon's end, unread.
    func answersWaiting(on descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 2000) == 1
    }

    func expectNoFault(_ process: FilterProcess) {
        let log = process.stderrText
        #expect(!log.contains("critical") && !log.contains("Broken pipe\n") && !log.contains("error"), "stderr: \(log)")
    }

    // MARK: - Filter API 52

    @Test("v52: end of input between frames, sessions open: exit 0")
    func v52EndBetweenFrames() throws {
        let (process, smtpd, _) = try v52WithSession()
        smtpd.process.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        expectNoFault(process)
    }

    @Test("v52: end of input in the middle of a message (data pipe open, half the message written): exit 0")
    func v52EndMidMessage() throws {
        let (process, smtpd, _) = try v52WithSession()
        #expect(try smtpd.ask(.mail, session: 1, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "example.org")).status == 0)
        #expect(try smtpd.ask(.rcpt, session: 1, extra: SMTPDDouble.mailaddrExtra(user: "b", domain: "example.org")).status == 0)
        #expect(try smtpd.ask(.data, session: 1).status == 0)
        let pipe = try smtpd.openDataPipe(session: 1)
        defer { close(pipe.input); close(pipe.sink) }
        let half = Array("Subject: half\n\nthe first lines of a message\n".utf8)
        #expect(half.withUnsafeBytes { send(pipe.input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == half.count)
        smtpd.process.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        expectNoFault(process)
    }

    @Test("v52: end of input inside a frame: exit 1 with the reason")
    func v52EndInsideFrame() throws {
        let (process, smtpd, _) = try v52WithSession()
        let frame = Wire.frame(type: Wire.query, payload: Wire.queryPayload(session: 1, queryID: 9, query: .helo, extra: SMTPDDouble.heloExtra("x")))
        try smtpd.process.sendBytes(Array(frame.prefix(20)))
        smtpd.process.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(1))
        #expect(process.stderrText.contains("channel closed in the middle of a frame"))
    }

    @Test("v52: smtpd closes the channel with answers pending (the filter stopped reading, its answers unsent): exit 0, no error")
    func v52EndWithAnswersPending() throws {
        let (process, smtpd, _) = try v52WithSession()
        let query = Wire.frame(
            type: Wire.query,
            payload: Wire.queryPayload(
                session: 1, queryID: 7, query: .helo,
                extra: SMTPDDouble.heloExtra("mx.example")))
        let batch = Array([[UInt8]](repeating: query, count: 64).joined())
        #expect(try smtpd.process.sendUntilBlocked(batch, maximumBytes: 64 << 20) > 0)
        smtpd.process.closeChannel()
        #expect(process.waitForExit(timeout: 5) == .exited(0))
        expectNoFault(process)
    }

    @Test("v52: smtpd stops reading (EPIPE on the answer): exit 0 with a notice, no SIGPIPE")
    func v52StopsReading() throws {
        let (process, smtpd, _) = try v52WithSession()
        smtpd.process.stopReading()
        try smtpd.sendQuery(.helo, session: 1, extra: SMTPDDouble.heloExtra("mx.example"))
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        #expect(process.stderrText.contains("smtpd stopped reading the channel (sendmsg: Broken pipe) with 1 sessions open"))
    }

    @Test("v52: smtpd resets the channel (closed with answers unread, ECONNRESET): exit 0")
    func v52Reset() throws {
        let (process, smtpd, _) = try v52WithSession(["-v"])
        try smtpd.sendQuery(.helo, session: 1, extra: SMTPDDouble.heloExtra("mx.example"))
        #expect(answersWaiting(on: smtpd.process.descriptor))
        smtpd.process.closeAbruptly()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        #expect(process.stderrText.contains("daemon closed the channel with 1 sessions open"))
    }

    @Test("v52: a data sink that stops reading fails only its message (451 at EOM), the filter goes on")
    func v52SinkStopsReading() throws {
        let (process, smtpd, _) = try v52WithSession()
        #expect(try smtpd.ask(.mail, session: 1, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "example.org")).status == 0)
        #expect(try smtpd.ask(.data, session: 1).status == 0)
        let pipe = try smtpd.openDataPipe(session: 1)
        shutdown(pipe.sink, Int32(SHUT_RD))
        let message = Array("Subject: x\n\nbody\n".utf8)
        #expect(message.withUnsafeBytes { send(pipe.input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == message.count)
        close(pipe.input)
        let eom = try smtpd.ask(.eom, session: 1, extra: SMTPDDouble.eomExtra(UInt32(message.count)))
        close(pipe.sink)
        #expect(eom.status == 1 && eom.code == 451)
        #expect(try smtpd.ask(.helo, session: 1, extra: SMTPDDouble.heloExtra("spam")).status == 1)
        #expect(process.waitForExit(timeout: 0) == nil)
    }

    // MARK: - Line protocol

    @Test("line: end of input between lines, sessions open and a message half sent: exit 0")
    func lineEndBetweenLines() throws {
        let (process, smtpd, _) = try lineWithSession()
        let token = smtpd.token()
        for line in ["Subject: half", "", "the first line"] {
            try smtpd.request("data-line", session: 1, token: token, parameters: Array(line.utf8))
        }
        _ = try smtpd.receiveBytes()
        smtpd.process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        expectNoFault(process)
    }

    @Test("line: end of input inside a line: exit 1 with the reason")
    func lineEndInsideLine() throws {
        let (process, smtpd, _) = try lineWithSession()
        try smtpd.send(Array("filter|0.6|1764060000.000002|smtp-in|helo|0000000000000001|00000000000000aa|mx.exa".utf8))
        smtpd.process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(1))
        #expect(process.stderrText.contains("channel closed in the middle of a line"))
    }

    @Test("line: smtpd closes the channel with answers pending (the filter blocked writing them): exit 0, no error")
    func lineEndWithAnswersPending() throws {
        let (process, smtpd, _) = try lineWithSession()
        let request = Array("filter|0.6|1764060000.000002|smtp-in|helo|0000000000000001|00000000000000aa|mx.example\n".utf8)
        let batch = Array([[UInt8]](repeating: request, count: 40).joined())
        #expect(try smtpd.process.channel.sendUntilBlocked(batch, maximumBytes: 64 << 20) > 0)
        smtpd.process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 5) == .exited(0))
        expectNoFault(process)
    }

    @Test("line: smtpd stops reading its socket (EPIPE): exit 0 with a notice, not death by SIGPIPE")
    func lineStopsReading() throws {
        let (process, smtpd, _) = try lineWithSession()
        smtpd.process.channel.stopReading()
        try smtpd.request("helo", session: 1, token: smtpd.token(), parameters: Array("mx.example".utf8))
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        #expect(process.stderrText.contains("smtpd stopped reading the channel (write: Broken pipe) with 1 sessions open"))
    }

    @Test("line over pipes: the read end of stdout closed (EPIPE): exit 0 with a notice, not death by SIGPIPE")
    func linePipeClosed() throws {
        let (process, smtpd, _) = try lineWithSession(onPipes: true)
        process.closeOutput()
        try smtpd.request("helo", session: 1, token: smtpd.token(), parameters: Array("mx.example".utf8))
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        #expect(process.stderrText.contains("smtpd stopped reading the channel (write: Broken pipe) with 1 sessions open"))
    }

    @Test("line: smtpd exits (its log pipe gone with the channel): exit 0, the last log line is not a SIGPIPE death")
    func lineDaemonGone() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let process = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "filter-rules"),
            name: "filter-rules", arguments: [file.path],
            channelOnStandardOutput: true, stderrOnPipe: true)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        process.closeStderrPipe()
        smtpd.process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
    }

    @Test("v52: smtpd exits (its log pipe gone with the channel): exit 0, the last log line is not a SIGPIPE death")
    func v52DaemonGone() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let process = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "filter-rules"),
            name: "rules", arguments: [file.path], stderrOnPipe: true)
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
        process.closeStderrPipe()
        smtpd.process.closeChannel()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
    }

    @Test("line: smtpd resets the channel (closed with answers unread, ECONNRESET): exit 0")
    func lineReset() throws {
        let (process, smtpd, _) = try lineWithSession(["-v"])
        try smtpd.request("helo", session: 1, token: smtpd.token(), parameters: Array("mx.example".utf8))
        #expect(answersWaiting(on: smtpd.process.channel.descriptor))
        smtpd.process.channel.closeAbruptly()
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        #expect(process.stderrText.contains("smtpd closed the channel with 1 sessions open"))
    }
}
