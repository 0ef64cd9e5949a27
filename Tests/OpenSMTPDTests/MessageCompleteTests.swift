import Logging
@testable import OpenSMTPD
import Testing
import TestSupport

/// ``LineFilter/onMessageComplete``: told at the final dot of every message that is not
/// held, once, after its lines and before the dot's echo; never for a held message.
@Suite("Line protocol: the message-complete callback")
struct MessageCompleteTests {
    static let request = "filter|0.6|1.0|smtp-in|data-line|0000000000001234|00000000000000aa|"
    static let answer = "filter-dataline|0000000000001234|00000000000000aa|"

    /// What the callback saw: the session and how many lines had passed the data-line callback.
    final class Calls {
        var linesSeen = 0
        var completions: [(session: UInt64, linesSeen: Int)] = []
    }

    func makeFilter(holds: Bool?, limits: MessageHoldLimits = MessageHoldLimits(), calls: Calls) -> LineFilter {
        let filter = LineFilter(logger: .quiet)
        filter.holdLimits = limits
        if let holds { filter.holdsMessage = { _ in holds } }
        filter.onDataLine = { _, _ in
            calls.linesSeen += 1
            return .unchanged
        }
        filter.onMessageComplete = { session in calls.completions.append((session.id, calls.linesSeen)) }
        return filter
    }

    /// Sends link-connect and a message of `count` lines; returns the dot's answer.
    func feed(_ filter: LineFilter, lines count: Int) throws -> [UInt8] {
        _ = try filter.handle(line: Array("report|0.6|1.0|smtp-in|link-connect|0000000000001234|a|pass|192.0.2.7:1|192.0.2.1:25".utf8))
        for index in 0..<count { _ = try filter.handle(line: Array((Self.request + "line \(index) of the message").utf8)) }
        return try filter.handle(line: Array((Self.request + ".").utf8))
    }

    @Test("not held, with or without a hold question: called once at the dot, after every line, and the dot is echoed")
    func notHeld() throws {
        for holds in [nil, false] as [Bool?] {
            let calls = Calls()
            let filter = makeFilter(holds: holds, calls: calls)
            let dot = try feed(filter, lines: 3)
            #expect(String(decoding: dot, as: UTF8.self) == Self.answer + ".\n")
            #expect(calls.completions.map(\.session) == [0x1234])
            #expect(calls.completions.map(\.linesSeen) == [3])
            _ = try feed(filter, lines: 2)
            #expect(calls.completions.map(\.linesSeen) == [3, 5])
        }
    }

    @Test("a held message is not complete at its dot (onMessageEnd is told), nor one passed on over the hold limit")
    func held() throws {
        let calls = Calls()
        let filter = makeFilter(holds: true, calls: calls)
        var ended = 0
        filter.onMessageEnd = { _, release in
            ended += 1
            release.release()
        }
        _ = try feed(filter, lines: 3)
        #expect(ended == 1 && calls.completions.isEmpty)
        let over = makeFilter(holds: true, limits: MessageHoldLimits(memoryLimit: 100, maximum: 200), calls: calls)
        over.onMessageEnd = { _, release in
            #expect(!release.isHeld)
            ended += 1
        }
        _ = try feed(over, lines: 40)
        #expect(ended == 2 && calls.completions.isEmpty)
    }

    @Test("a callback that throws is logged; the dot is echoed all the same")
    func throwing() throws {
        struct Failure: Error {}
        let logs = LogRecorder()
        let filter = LineFilter(logger: logs.logger())
        filter.onDataLine = { _, _ in .unchanged }
        filter.onMessageComplete = { _ in throw Failure() }
        let dot = try feed(filter, lines: 1)
        #expect(String(decoding: dot, as: UTF8.self) == Self.answer + ".\n")
        #expect(logs.all.contains { $0.contains("message-complete callback failed") })
    }

    @Test("a session refused at the session bound is never told")
    func refused() throws {
        let calls = Calls()
        let filter = makeFilter(holds: nil, calls: calls)
        filter.maximumSessions = 1
        _ = try filter.handle(line: Array("report|0.6|1.0|smtp-in|link-connect|0000000000000001|a|pass|192.0.2.7:1|192.0.2.1:25".utf8))
        let dot = try feed(filter, lines: 1)
        #expect(String(decoding: dot, as: UTF8.self) == Self.answer + ".\n")
        #expect(calls.completions.isEmpty)
    }
}
