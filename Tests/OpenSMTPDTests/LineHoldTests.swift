import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif
@testable import OpenSMTPD
import Testing
import TestSupport

/// The line protocol: held messages kept back and released with lines at their top.
@Suite("Held messages (line protocol) in memory")
struct LineHoldTests {
    static let session: UInt64 = 0x1234
    static let request = "filter|0.6|1.0|smtp-in|data-line|0000000000001234|00000000000000aa|"
    static let answer = "filter-dataline|0000000000001234|00000000000000aa|"

    /// Message lines as they arrive (dot-stuffed): 8-bit bytes, CR, empty, 999 bytes, dots.
    static let wireLines: [[UInt8]] = [
        Array("Subject: hi\r".utf8), Array("..leading dot".utf8), [], Array(repeating: UInt8(ascii: "b"), count: 999),
        [0xe9, 0xff, 0x7c, 0x00, 0x0d], Array("..".utf8), Array("expand".utf8), Array("drop".utf8), Array("end".utf8),
    ]

    func makeFilter(
        _ logs: LogRecorder = LogRecorder(), limits: MessageHoldLimits = MessageHoldLimits(),
        holds: Bool = true
    ) -> LineFilter {
        let filter = LineFilter(logger: logs.logger())
        filter.holdLimits = limits
        filter.holdsMessage = { _ in holds }
        filter.onDataLine = { _, line in
            switch line.text {
            case "expand": return .replaced([".new", "two"])
            case "drop": return .dropped
            default: return .unchanged
            }
        }
        return filter
    }

    /// Sends link-connect, then the message and its final dot; returns what each line answered.
    func feed(_ filter: LineFilter, _ lines: [[UInt8]], session: UInt64 = session) throws -> [UInt8] {
        var output: [UInt8] = []
        _ = try filter.handle(line: Array("report|0.6|1.0|smtp-in|link-connect|\(SessionIdentifier.hex(session))|a|pass|192.0.2.7:1|192.0.2.1:25".utf8))
        let prefix = Array(Self.request.utf8.map { $0 }).replacing(Array("0000000000001234".utf8), with: Array(SessionIdentifier.hex(session).utf8))
        for line in lines + [[UInt8(ascii: ".")]] { output += try filter.handle(line: prefix + line) }
        return output
    }

    /// The echo of the lines without holding: what a held message must become after its top lines.
    static var echo: [UInt8] {
        var bytes: [UInt8] = []
        for line in wireLines {
            switch line {
            case Array("expand".utf8): bytes += Array((answer + "..new\n" + answer + "two\n").utf8)
            case Array("drop".utf8): break
            default: bytes += Array(answer.utf8) + line + [10]
            }
        }
        return bytes + Array((answer + ".\n").utf8)
    }

    @Test("nothing is written while held; the release writes the lines at the top, then the message byte for byte")
    func golden() throws {
        let filter = makeFilter()
        let ended = Mutex<Int>(0)
        filter.onMessageEnd = { session, release in
            #expect(session.id == Self.session && release.isHeld)
            ended.withLock { $0 += 1 }
            release.release(prepending: ["X-Spam: yes\r", ".Dotted: x", "X-Bad: a\nb"])
        }
        #expect(try feed(filter, Self.wireLines).isEmpty)
        #expect(ended.withLock { $0 } == 1)
        let top = Self.answer + "X-Spam: yes\r\n" + Self.answer + "..Dotted: x\n" + Self.answer + "X-Bad: ab\n"
        #expect(filter.takeLateAnswers() == Array(top.utf8) + Self.echo)
        #expect(filter.takeLateAnswers().isEmpty && filter.messageHolds.isEmpty)
        #expect(filter.phases.contains("data-line") && filter.phases.contains("commit"))
    }

    @Test("a message not held is echoed exactly as without holding, and the callback is not called")
    func notHeld() throws {
        let filter = makeFilter(holds: false)
        filter.onMessageEnd = { _, _ in Issue.record("called for a message not held") }
        #expect(try feed(filter, Self.wireLines) == Self.echo)
        let plain = makeFilter()
        plain.holdsMessage = nil
        #expect(try feed(plain, Self.wireLines) == Self.echo)
        #expect(filter.messageHolds.isEmpty)
    }

    @Test("a release from another thread is written once; a second release is ignored")
    func releaseFromThread() throws {
        let filter = makeFilter()
        let handle = Mutex<HeldMessageRelease?>(nil)
        filter.onMessageEnd = { _, release in handle.withLock { $0 = release } }
        #expect(try feed(filter, Self.wireLines).isEmpty)
        #expect(filter.takeLateAnswers().isEmpty)
        let release = try #require(handle.withLock { $0 })
        let thread = Thread {
            release.release(prepending: ["X-Late: 1"])
            release.release(prepending: ["X-Twice: 2"])
        }
        thread.start()
        var output: [UInt8] = []
        let deadline = Date() + 5
        while output.isEmpty && Date() < deadline {
            output = filter.takeLateAnswers()
            usleep(1000)
        }
        #expect(output == Array((Self.answer + "X-Late: 1\n").utf8) + Self.echo)
        usleep(20_000)
        #expect(filter.takeLateAnswers().isEmpty)
    }

    @Test("a message-end callback that throws releases the message without lines; no callback releases it as it is")
    func throwingCallback() throws {
        struct Failure: Error {}
        let logs = LogRecorder()
        let filter = makeFilter(logs)
        filter.onMessageEnd = { _, _ in throw Failure() }
        #expect(try feed(filter, Self.wireLines).isEmpty)
        #expect(filter.takeLateAnswers() == Self.echo)
        #expect(logs.all.contains { $0.contains("message-end callback failed") })
        let silent = makeFilter()
        #expect(try feed(silent, Self.wireLines).isEmpty)
        #expect(silent.takeLateAnswers() == Self.echo)
    }

    @Test("a session that ends before the release: its hold is freed and nothing is written")
    func sessionEnds() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let filter = makeFilter(limits: MessageHoldLimits(memoryLimit: 0, directory: directory.path))
        let handle = Mutex<HeldMessageRelease?>(nil)
        filter.onMessageEnd = { _, release in handle.withLock { $0 = release } }
        #expect(try feed(filter, Self.wireLines).isEmpty)
        #expect(directory.openUnlinkedFiles == 1)
        _ = try filter.handle(line: Array("report|0.6|1.0|smtp-in|link-disconnect|0000000000001234".utf8))
        #expect(directory.openUnlinkedFiles == 0 && directory.entries.isEmpty)
        try #require(handle.withLock { $0 }).release(prepending: ["X-Gone: 1"])
        #expect(filter.takeLateAnswers().isEmpty)
    }

    @Test("past the memory limit the lines spill into the directory, unlinked, and come back whole")
    func spills() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let filter = makeFilter(limits: MessageHoldLimits(memoryLimit: 4096, directory: directory.path))
        let seen = Mutex<(entries: Int, unlinked: Int)>((-1, -1))
        let view = ScratchDirectoryView(path: directory.path)
        filter.onMessageEnd = { _, release in
            seen.withLock { $0 = (view.entries.count, view.openUnlinkedFiles) }
            release.release(prepending: ["X-Big: 1"])
        }
        let lines = (0..<5000).map { Array("line \($0) \u{e9}".utf8) }
        #expect(try feed(filter, lines).isEmpty)
        var expected = Array((Self.answer + "X-Big: 1\n").utf8)
        for line in lines { expected += Array(Self.answer.utf8) + line + [10] }
        expected += Array((Self.answer + ".\n").utf8)
        #expect(filter.takeLateAnswers() == expected)
        #expect(seen.withLock { $0 } == (0, 1))
        #expect(directory.openUnlinkedFiles == 0 && directory.entries.isEmpty)
    }

    @Test("over the maximum: what was held is echoed, the rest streams, the dot is echoed; the callback's lines are refused with a warning")
    func overMaximum() throws {
        let logs = LogRecorder()
        let filter = makeFilter(logs, limits: MessageHoldLimits(memoryLimit: 100, maximum: 1000))
        let released = Mutex<Bool?>(nil)
        filter.onMessageEnd = { _, release in
            released.withLock { $0 = release.isHeld }
            release.release(prepending: ["X-Tag: 1"])
        }
        _ = try filter.handle(line: Array("report|0.6|1.0|smtp-in|link-connect|0000000000001234|a|pass|192.0.2.7:1|192.0.2.1:25".utf8))
        let lines = (0..<40).map { Array("line \($0) of forty, padded to some length".utf8) }
        var answers: [[UInt8]] = []
        for line in lines + [[UInt8(ascii: ".")]] { answers.append(try filter.handle(line: Array(Self.request.utf8) + line)) }
        let crossing = try #require(answers.firstIndex { !$0.isEmpty })
        #expect(crossing > 0 && answers[..<crossing].allSatisfy(\.isEmpty))
        var expected: [UInt8] = []
        for line in lines { expected += Array(Self.answer.utf8) + line + [10] }
        expected += Array((Self.answer + ".\n").utf8)
        #expect(answers.flatMap { $0 } == expected)
        #expect(answers.last == Array((Self.answer + ".\n").utf8))
        #expect(released.withLock { $0 } == false)
        #expect(filter.takeLateAnswers().isEmpty)
        #expect(logs.all.filter { $0.contains("message over the hold limit of 1000 bytes: passed on") }.count == 1)
        #expect(logs.all.contains { $0.contains("1 header line(s) could not be added to the message: message over the hold limit") })
    }

    @Test("a spill directory that cannot be written: the message is passed on as it came, nothing lost, logged once")
    func unwritableDirectory() throws {
        let logs = LogRecorder()
        let filter = makeFilter(logs, limits: MessageHoldLimits(memoryLimit: 200, directory: "/nonexistent/spill"))
        filter.onMessageEnd = { _, release in release.release(prepending: ["X-Tag: 1"]) }
        #expect(try feed(filter, Self.wireLines) == Self.echo)
        #expect(filter.takeLateAnswers().isEmpty)
        #expect(logs.all.filter { $0.contains("cannot spill the held message") && $0.contains("passed on without waiting") }.count == 1)
        #expect(logs.all.contains { $0.contains("1 header line(s) could not be added to the message: cannot spill") })
    }

    @Test("0.4 released lines go back token first")
    func tokenFirst() throws {
        let filter = makeFilter()
        filter.onMessageEnd = { _, release in release.release(prepending: ["X-A: 1"]) }
        _ = try filter.handle(line: Array("filter|0.4|1.0|smtp-in|data-line|1|2|x".utf8))
        _ = try filter.handle(line: Array("filter|0.4|1.0|smtp-in|data-line|1|2|.".utf8))
        #expect(
            String(decoding: filter.takeLateAnswers(), as: UTF8.self) == """
                filter-dataline|0000000000000002|0000000000000001|X-A: 1
                filter-dataline|0000000000000002|0000000000000001|x
                filter-dataline|0000000000000002|0000000000000001|.

                """)
    }

    @Test("each message of a session is asked for and held on its own")
    func twoMessages() throws {
        let filter = makeFilter()
        let asked = Mutex<Int>(0)
        filter.holdsMessage = { _ in
            asked.withLock {
                $0 += 1; return $0 == 2
            }
        }
        filter.onMessageEnd = { _, release in release.release(prepending: ["X-Second: 1"]) }
        #expect(try feed(filter, [Array("first".utf8)]) == Array((Self.answer + "first\n" + Self.answer + ".\n").utf8))
        #expect(try feed(filter, [Array("second".utf8)]).isEmpty)
        #expect(filter.takeLateAnswers() == Array((Self.answer + "X-Second: 1\n" + Self.answer + "second\n" + Self.answer + ".\n").utf8))
        #expect(asked.withLock { $0 } == 2)
    }
}
