import Foundation
import OpenSMTPD
import SMTPDTestDouble
import Testing
import TestSupport

/// Every query gets exactly one answer, whatever the callbacks do.
@Suite("Answer guarantee")
struct AnswerGuaranteeTests {
    struct Boom: Error {}

    @Test("a throwing callback gets the fallback answer, and it is logged")
    func throwingCallback() throws {
        let logs = LogRecorder()
        let smtpd = try startInProcessFilter(logs: logs) { filter in
            filter.onHELO = { _, _ in throw Boom() }
        }
        let response = try smtpd.ask(.helo, session: 1, extra: SMTPDDouble.heloExtra("x"))
        #expect(response.status == 1 && response.code == 451 && response.line == "4.3.0 Temporary failure in mail filter")
        #expect(logs.all.contains { $0.contains("callback failed") })
    }

    @Test("a callback that returns without answering gets the configured fallback")
    func silentCallback() throws {
        let smtpd = try startInProcessFilter { filter in
            filter.fallback = FallbackAnswer(status: .close, code: 421, line: "4.7.0 try later")
            filter.onRCPT = { _, _, _ in }
        }
        let response = try smtpd.ask(.rcpt, session: 1, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "b"))
        #expect(response.status == 2 && response.code == 421 && response.line == "4.7.0 try later")
    }

    @Test("a second answer to the same query is dropped with a warning")
    func doubleAnswer() throws {
        let logs = LogRecorder()
        let smtpd = try startInProcessFilter(logs: logs) { filter in
            filter.onMAIL = { session, _, _ in
                session.reject(status: .fail, code: 550, line: "5.7.1 first")
                session.accept()
            }
        }
        let response = try smtpd.ask(.mail, session: 1, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "b"))
        #expect(response.code == 550 && response.line == "5.7.1 first")
        #expect(try smtpd.process.frameArrives(within: 0.1) == false)
        #expect(logs.all.contains { $0.contains("second answer") })
    }

    @Test("a deferred answer may come later from another thread")
    func deferredFromThread() throws {
        let smtpd = try startInProcessFilter { filter in
            filter.onHELO = { session, name in
                session.deferAnswer()
                // A thread of its own: a Task would wait for the cooperative pool, whose few
                // threads (two on a 2-core machine) the other, blocking tests hold for seconds.
                Thread.detachNewThread {
                    usleep(50_000)
                    session.reject(status: .fail, code: 550, line: "5.7.1 no \(name)")
                }
            }
        }
        // Other sessions keep being served while one answer is pending.
        let qid = try smtpd.sendQuery(.helo, session: 1, extra: SMTPDDouble.heloExtra("slow"))
        #expect(try smtpd.ask(.data, session: 2).status == 0)
        let response = try smtpd.expectResponse(to: qid, .helo).response
        #expect(response.code == 550 && response.line == "5.7.1 no slow")
    }

    @Test("a deferred answer that never comes is replaced by the fallback after the timeout")
    func deferredTimeout() throws {
        let smtpd = try startInProcessFilter { filter in
            filter.deferredAnswerTimeout = .milliseconds(100)
            filter.onDATA = { session in session.deferAnswer() }
        }
        let qid = try smtpd.sendQuery(.data, session: 1)
        #expect(try smtpd.process.frameArrives(within: 0.05) == false)
        let response = try smtpd.expectResponse(to: qid, .data, timeout: 2).response
        #expect(response.code == 451)
    }

    @Test("only the hooks with callbacks are registered")
    func hooks() throws {
        let (channel, filterEnd) = try DaemonChannel.pair()
        let thread = Thread {
            let filter = Filter(descriptor: filterEnd, logger: LogRecorder().logger())
            filter.onConnect = { session, _ in session.accept() }
            filter.onRollback = { _ in }
            try? filter.serve()
            close(filterEnd)
        }
        thread.start()
        let answer = try SMTPDDouble(channel: channel).register(name: "h")
        #expect(answer.payload == [0x01, 0x02, 0, 0, 0, 0, 0, 0])
    }
}

@Suite("Data-line callbacks")
struct DataLineCallbackTests {
    func openData(_ smtpd: SMTPDDouble, _ session: UInt64) throws {
        try smtpd.event(.connect, session: session)
        #expect(try smtpd.ask(.data, session: session).status == 0)
    }

    @Test("edited output is written and EOM reports the bytes written, not read")
    func editedOutput() throws {
        let smtpd = try startInProcessFilter { filter in
            filter.onDataLine = { _, line in
                if line.text.hasPrefix("Subject:") { return .appending(line, ["X-Filtered: yes"]) }
                if line.text == "drop me" { return .dropped }
                return .unchanged
            }
        }
        try openData(smtpd, 3)
        let input = Array("Subject: a\n\ndrop me\nbody\n".utf8)
        let result = try smtpd.pushMessage(input, session: 3)
        let expected = Array("Subject: a\nX-Filtered: yes\n\nbody\n".utf8)
        #expect(result.output == expected)
        #expect(result.response.dataLength == UInt32(expected.count))
    }

    @Test("a throwing data-line callback loses nothing")
    func throwingDataLine() throws {
        let smtpd = try startInProcessFilter { filter in
            filter.onDataLine = { _, _ in throw AnswerGuaranteeTests.Boom() }
        }
        try openData(smtpd, 4)
        let input = Array("a\nb\n".utf8)
        let result = try smtpd.pushMessage(input, session: 4)
        #expect(result.output == input && result.response.status == 0)
    }

    @Test("the EOM callback sees the whole message first and may reject it")
    func eomVerdict() throws {
        let smtpd = try startInProcessFilter { filter in
            let seen = LockedLines()
            filter.onDataLine = { _, line in
                seen.append(line.text); return .unchanged
            }
            filter.onEOM = { session, size in
                if seen.contains("spam") {
                    session.reject(status: .fail, code: 554, line: "5.7.1 spam after \(size) bytes")
                } else {
                    session.accept()
                }
            }
        }
        try openData(smtpd, 5)
        let input = Array("x\nspam\n".utf8)
        let result = try smtpd.pushMessage(input, session: 5, timing: .beforeInputEOF)
        #expect(result.response.status == 1 && result.response.code == 554)
        #expect(result.response.line == "5.7.1 spam after 7 bytes")
        #expect(result.response.dataLength == 7 && result.output == input)
    }
}

/// Lines shared between callbacks (they run on the filter's thread only).
final class LockedLines: @unchecked Sendable {
    private var lines: [String] = []
    func append(_ line: String) { lines.append(line) }
    func contains(_ line: String) -> Bool { lines.contains(line) }
}
