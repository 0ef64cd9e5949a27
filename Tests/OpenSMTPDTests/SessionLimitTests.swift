import Foundation
import Logging
import OpenSMTPD
import SMTPDTestDouble
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
    import Glibc
#endif

/// At its bound of sessions a filter evicts nothing: a new session is not tracked, its
/// queries get 421 without reaching the callbacks, and once a session ends new ones are
/// accepted again. Both episodes are logged.
@Suite("Session bound")
struct SessionLimitTests {
    @Test("filter API 52: the new session's queries get 421 and close, its events and data bypass the callbacks")
    func v52() throws {
        let logs = LogRecorder()
        let seen = Mutex<[String]>([])
        let smtpd = try startInProcessFilter(logs: logs) { filter in
            filter.maximumSessions = 2
            filter.onHELO = { session, name in
                seen.withLock { $0.append("helo \(session.id) \(name)") }
                session.accept()
            }
            filter.onReset = { session in seen.withLock { $0.append("reset \(session.id)") } }
            filter.onDisconnect = { session in seen.withLock { $0.append("disconnect \(session.id)") } }
            filter.onDataLine = { _, line in .replaced([DataLine(bytes: line.bytes + Array("!".utf8))]) }
        }
        for session in UInt64(1)...2 { #expect(try smtpd.ask(.helo, session: session, extra: SMTPDDouble.heloExtra("a")).status == 0) }

        let refused = try smtpd.ask(.helo, session: 3, extra: SMTPDDouble.heloExtra("b"))
        #expect(refused.status == 2 && refused.code == 421 && refused.line == "4.3.2 Too many sessions in the mail filter, try again later")
        try smtpd.event(.reset, session: 3)
        try smtpd.event(.disconnect, session: 3)
        // Its message data bypasses the filter: what is written comes out unchanged.
        let pipe = try smtpd.openDataPipe(session: 3)
        let message = Array("line\n".utf8)
        #expect(message.withUnsafeBytes { send(pipe.input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == message.count)
        close(pipe.input)
        var output = [UInt8](repeating: 0, count: 64)
        var entry = pollfd(fd: pipe.sink, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 2000) == 1)
        let count = read(pipe.sink, &output, output.count)
        close(pipe.sink)
        #expect(Array(output.prefix(max(0, count))) == message)
        let eom = try smtpd.ask(.eom, session: 3, extra: SMTPDDouble.eomExtra(UInt32(message.count)))
        #expect(eom.code == 421 && eom.dataLength == UInt32(message.count))

        // The open sessions go on; once one ends, a new one is taken.
        #expect(try smtpd.ask(.helo, session: 2, extra: SMTPDDouble.heloExtra("c")).status == 0)
        try smtpd.event(.disconnect, session: 1)
        #expect(try smtpd.ask(.helo, session: 3, extra: SMTPDDouble.heloExtra("d")).status == 0)
        #expect(seen.withLock { $0 } == ["helo 1 a", "helo 2 a", "helo 2 c", "disconnect 1", "helo 3 d"])
        #expect(logs.all.filter { $0.contains("2 sessions open, the limit of the filter") }.count == 1)
        #expect(logs.all.contains("notice below the limit of 2 sessions again: new sessions are accepted (2 queries were refused)"))
    }

    @Test("line protocol: the new session's requests get disconnect|421, its lines are echoed, nothing reaches the callbacks")
    func line() throws {
        let logs = LogRecorder()
        let filter = LineFilter(logger: logs.logger())
        filter.maximumSessions = 2
        var seen: [String] = []
        filter.onHELO = { session, name in
            seen.append("helo \(session.id) \(name)"); return .proceed
        }
        filter.onDataLine = { session, _ in
            seen.append("line \(session.id)"); return .unchanged
        }
        filter.onLinkConnect = { session in seen.append("connect \(session.id)") }
        filter.onLinkDisconnect = { session in seen.append("disconnect \(session.id)") }
        func send(_ line: String) throws -> String {
            String(decoding: try filter.handle(line: Array(line.utf8)), as: UTF8.self)
        }
        func connectReport(_ session: Int) -> String {
            "report|0.6|1.0|smtp-in|link-connect|\(session)|a|pass|192.0.2.7:1|192.0.2.1:25"
        }
        _ = try send(connectReport(1))
        _ = try send(connectReport(2))
        _ = try send(connectReport(3))
        #expect(filter.sessions.count == 2)
        #expect(
            try send("filter|0.6|1.0|smtp-in|helo|3|aa|x")
                == "filter-result|0000000000000003|00000000000000aa|disconnect|421 4.3.2 Too many sessions in the mail filter, try again later\n")
        #expect(try send("filter|0.6|1.0|smtp-in|data-line|3|ab|..dot") == "filter-dataline|0000000000000003|00000000000000ab|..dot\n")
        #expect(try send("report|0.6|1.0|smtp-in|link-disconnect|3") == "")
        #expect(try send("filter|0.6|1.0|smtp-in|helo|2|ac|y") == "filter-result|0000000000000002|00000000000000ac|proceed\n")
        _ = try send("report|0.6|1.0|smtp-in|link-disconnect|1")
        _ = try send(connectReport(3))
        #expect(try send("filter|0.6|1.0|smtp-in|helo|3|ad|z") == "filter-result|0000000000000003|00000000000000ad|proceed\n")
        #expect(filter.sessions.count == 2)
        #expect(seen == ["connect 1", "connect 2", "helo 2 y", "disconnect 1", "connect 3", "helo 3 z"])
        #expect(logs.all.filter { $0.contains("2 sessions open, the limit of the filter") }.count == 1)
        #expect(logs.all.contains("notice below the limit of 2 sessions again: new sessions are accepted (1 queries were refused)"))
    }
}
