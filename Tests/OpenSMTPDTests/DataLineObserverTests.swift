import Logging
@testable import OpenSMTPD
import Testing
import TestSupport

/// ``LineFilter/dataLineObserver``: message lines read in place, echoed byte for byte, the
/// observer looked up once per session and token.
@Suite("Line protocol: data-line observers")
struct DataLineObserverTests {
    /// Records what it is shown; puts `X-Seen: yes` before the first line of each message.
    final class Recorder: DataLineObserver {
        var lines: [[UInt8]] = []
        var atFirstLine = true

        func observe(_ line: UnsafeBufferPointer<UInt8>) -> [DataLine]? {
            lines.append(Array(line))
            let first = atFirstLine
            atFirstLine = false
            return first ? ["X-Seen: yes"] : nil
        }
    }

    static func request(session: Int, token: Int, _ line: String) -> [UInt8] {
        Array("filter|0.6|1.0|smtp-in|data-line|\(session)|\(token)|".utf8) + Array(line.utf8)
    }

    @Test("registers data-line; lines are shown unstuffed, echoed raw, and the observer's lines go first, stuffed")
    func linesAndInsertion() throws {
        let filter = LineFilter(logger: .quiet)
        let recorder = Recorder()
        var lookups: [UInt64] = []
        filter.dataLineObserver = { session in
            lookups.append(session.id)
            return recorder
        }
        #expect(filter.phases == ["data-line"])
        var output: [UInt8] = []
        for line in ["Subject: x", "..dot", "", "body", "."] {
            output += try filter.handle(line: Self.request(session: 1, token: 2, line))
        }
        let answer = "filter-dataline|0000000000000001|0000000000000002|"
        #expect(
            String(decoding: output, as: UTF8.self)
                == [
                    "X-Seen: yes", "Subject: x", "..dot", "", "body", ".",
                ].map { answer + $0 + "\n" }.joined())
        #expect(recorder.lines.map { String(decoding: $0, as: UTF8.self) } == ["Subject: x", ".dot", "", "body"])
        #expect(lookups == [1])
    }

    @Test("the observer is looked up again for another token or session, and not for a session refused at the bound")
    func lookups() throws {
        let filter = LineFilter(logger: .quiet)
        filter.maximumSessions = 1
        var lookups: [UInt64] = []
        let recorder = Recorder()
        recorder.atFirstLine = false
        filter.dataLineObserver = { session in
            lookups.append(session.id)
            return session.id == 3 ? nil : recorder
        }
        for (session, token) in [(1, 2), (1, 2), (1, 5), (1, 5)] {
            _ = try filter.handle(line: Self.request(session: session, token: token, "line"))
        }
        #expect(lookups == [1, 1])
        // Session 2 is refused at the bound: its lines are echoed, nobody is asked.
        let refused = try filter.handle(line: Self.request(session: 2, token: 7, ".x"))
        #expect(String(decoding: refused, as: UTF8.self) == "filter-dataline|0000000000000002|0000000000000007|.x\n")
        #expect(lookups == [1, 1])
        #expect(recorder.lines.count == 4)
    }

    @Test("a session without an observer has its lines echoed unseen")
    func noObserver() throws {
        let filter = LineFilter(logger: .quiet)
        filter.dataLineObserver = { _ in nil }
        let output = try filter.handle(line: Self.request(session: 3, token: 4, "..line"))
        #expect(String(decoding: output, as: UTF8.self) == "filter-dataline|0000000000000003|0000000000000004|..line\n")
    }

    @Test("a held message keeps the observer's lines and releases them first")
    func held() throws {
        let filter = LineFilter(logger: .quiet)
        let recorder = Recorder()
        filter.dataLineObserver = { _ in recorder }
        filter.holdsMessage = { _ in true }
        filter.onMessageEnd = { _, release in release.release(prepending: ["X-Verdict: ok"]) }
        var output: [UInt8] = []
        for line in ["Subject: held", "..body", "."] {
            output += try filter.handle(line: Self.request(session: 1, token: 2, line))
        }
        output += filter.takeLateAnswers()
        let answer = "filter-dataline|0000000000000001|0000000000000002|"
        #expect(
            String(decoding: output, as: UTF8.self)
                == [
                    "X-Verdict: ok", "X-Seen: yes", "Subject: held", "..body", ".",
                ].map { answer + $0 + "\n" }.joined())
    }
}
