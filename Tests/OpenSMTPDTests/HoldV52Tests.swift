import Foundation
import OpenSMTPD
import SMTPDTestDouble
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
    import Glibc
#endif

/// Filter API 52: held messages through the data pipe, released by the EOM answer.
@Suite("Held messages (filter API 52)")
struct HoldV52Tests {
    func openData(_ smtpd: SMTPDDouble, _ session: UInt64) throws {
        try smtpd.event(.connect, session: session)
        #expect(try smtpd.ask(.data, session: session).status == 0)
    }

    /// Opens DATA and the data pipe of `session`, writes `message` into the pipe, closes its
    /// input and asks EOM; returns the pipe, whose sink the caller closes, and the query id.
    func sendThroughPipe(_ smtpd: SMTPDDouble, _ session: UInt64, _ message: [UInt8]) throws -> (pipe: OpenDataPipe, qid: UInt64) {
        try openData(smtpd, session)
        let pipe = try smtpd.openDataPipe(session: session)
        var handedOver = false
        defer { if !handedOver { close(pipe.sink) } }
        try writeAll(message, to: pipe.input)
        close(pipe.input)
        let qid = try smtpd.sendQuery(.eom, session: session, extra: SMTPDDouble.eomExtra(UInt32(message.count)))
        handedOver = true
        return (pipe, qid)
    }

    /// Every kind of line: CRLF, empty, 999 bytes, 8-bit, a dot, and a last line without `\n`.
    static let awkwardMessage: [UInt8] =
        Array("Received: from x\r\n\tby y\r\nSubject: t\r\n\r\n".utf8)
        + [] + [0x0a] + Array(repeating: UInt8(ascii: "a"), count: 999) + [0x0a]
        + [0xe9, 0x80, 0xff, 0x00, 0x0d, 0x0a] + Array(".\n..\n".utf8) + Array("last line".utf8)

    static let tags: [DataLine] = ["X-Spam: yes\r", "X-Tag: t\u{e9}st"]
    static let tagBytes: [UInt8] = Array("X-Spam: yes\r\nX-Tag: t\u{e9}st\n".utf8)

    @Test("the prepended lines come first, the rest byte for byte; EOM carries the bytes written")
    func golden() throws {
        let smtpd = try startInProcessFilter { filter in
            filter.holdsMessage = { _ in true }
            filter.onEOM = { session, _ in session.accept(prepending: Self.tags) }
        }
        try openData(smtpd, 1)
        let result = try smtpd.pushMessage(Self.awkwardMessage, session: 1)
        #expect(result.output == Self.tagBytes + Self.awkwardMessage)
        #expect(result.response.status == 0 && result.response.dataLength == UInt32(result.output.count))
    }

    @Test("holding registers HOOK_DATALINE; the data-line callback still edits a held message")
    func editsWhileHeld() throws {
        let logs = LogRecorder()
        let smtpd = try startInProcessFilter(logs: logs) { filter in
            filter.holdsMessage = { _ in true }
            filter.onDataLine = { _, line in line.text == "drop" ? .dropped : (line.text == "two" ? .replaced(["2a", "2b"]) : .unchanged) }
            filter.onEOM = { session, _ in session.accept(prepending: ["X-A: 1"]) }
        }
        try openData(smtpd, 2)
        let result = try smtpd.pushMessage(Array("a\ndrop\ntwo\nb\n".utf8), session: 2)
        #expect(result.output == Array("X-A: 1\na\n2a\n2b\nb\n".utf8))
        #expect(result.response.dataLength == UInt32(result.output.count))
    }

    @Test("nothing reaches the sink before the EOM answer; a deferred answer from another thread releases it")
    func heldUntilAnswer() throws {
        let gate = Mutex<Session?>(nil)
        let smtpd = try startInProcessFilter { filter in
            filter.holdsMessage = { _ in true }
            filter.onEOM = { session, _ in
                session.deferAnswer()
                gate.withLock { $0 = session }
            }
        }
        let message = sampleMessage(bytes: 100_000)
        let (pipe, qid) = try sendThroughPipe(smtpd, 3, message)
        defer { close(pipe.sink) }
        let deadline = Date() + 5
        while gate.withLock({ $0 }) == nil && Date() < deadline { usleep(1000) }
        var early = [UInt8](repeating: 0, count: 16)
        #expect(read(pipe.sink, &early, early.count) == -1 && errno == EAGAIN)
        #expect(try smtpd.process.frameArrives(within: 0.1) == false)
        let session = try #require(gate.withLock { $0 })
        Thread.detachNewThread { session.accept(prepending: ["X-Late: 1"]) }
        let output = try readToEnd(pipe.sink)
        #expect(output == Array("X-Late: 1\n".utf8) + message)
        let response = try smtpd.expectResponse(to: qid, .eom).response
        #expect(response.status == 0 && response.dataLength == UInt32(output.count))
    }

    @Test("past the memory limit the message spills into the directory given, unlinked, and comes back whole", .timeLimit(.minutes(1)))
    func spills() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let seen = Mutex<(entries: [String], unlinked: Int)>(([], -1))
        let path = directory.path
        let smtpd = try startInProcessFilter { filter in
            filter.holdsMessage = { _ in true }
            filter.holdLimits = MessageHoldLimits(memoryLimit: 64 << 10, directory: path)
            filter.onEOM = { session, _ in
                let scratch = ScratchDirectoryView(path: path)
                seen.withLock { $0 = (scratch.entries, scratch.openUnlinkedFiles) }
                session.accept(prepending: ["X-Big: yes"])
            }
        }
        try openData(smtpd, 4)
        let message = sampleMessage(bytes: 1 << 20)
        let result = try smtpd.pushMessage(message, session: 4)
        #expect(result.output == Array("X-Big: yes\n".utf8) + message)
        #expect(result.response.dataLength == UInt32(result.output.count))
        let during = seen.withLock { $0 }
        #expect(during.entries.isEmpty && during.unlinked == 1)
        #expect(directory.entries.isEmpty && directory.openUnlinkedFiles == 0)
    }

    @Test("a message over the maximum passes through untagged, with warnings; nothing lost")
    func overMaximum() throws {
        let logs = LogRecorder()
        let smtpd = try startInProcessFilter(logs: logs) { filter in
            filter.holdsMessage = { _ in true }
            filter.holdLimits = MessageHoldLimits(memoryLimit: 512, maximum: 4096)
            filter.onEOM = { session, _ in session.accept(prepending: ["X-Tag: 1", "X-Tag: 2"]) }
        }
        try openData(smtpd, 5)
        let message = sampleMessage(bytes: 300_000)
        let result = try smtpd.pushMessage(message, session: 5)
        #expect(result.output == message)
        #expect(result.response.status == 0 && result.response.dataLength == UInt32(message.count))
        #expect(logs.all.contains { $0.hasPrefix("warning message over the hold limit of 4096 bytes") })
        #expect(logs.all.contains { $0.contains("2 header line(s) could not be added to the message: message over the hold limit") })
    }

    @Test(
        "under the total of all holds, the message that would go over it passes through untagged while the other stays held; a release makes room again",
        .timeLimit(.minutes(1)))
    func overTotal() throws {
        let logs = LogRecorder()
        let waiting = Mutex<Session?>(nil)
        let smtpd = try startInProcessFilter(logs: logs) { filter in
            filter.holdsMessage = { _ in true }
            filter.holdLimits = MessageHoldLimits(memoryLimit: 512, maximum: 8000, total: 10_000)
            filter.onEOM = { session, _ in
                // Session 20's verdict waits: its message stays held while the others come.
                if session.id == 20 {
                    session.deferAnswer()
                    waiting.withLock { $0 = session }
                } else {
                    session.accept(prepending: [DataLine("X-Tag: \(session.id)")])
                }
            }
        }
        let first = sampleMessage(bytes: 6000), second = sampleMessage(bytes: 7000)
        let (pipe, qid) = try sendThroughPipe(smtpd, 20, first)
        defer { close(pipe.sink) }
        let deadline = Date() + 5
        while waiting.withLock({ $0 }) == nil && Date() < deadline { usleep(1000) }
        // 6000 held and 7000 more would be 13000: the second passes on as it is.
        try openData(smtpd, 21)
        let passed = try smtpd.pushMessage(second, session: 21)
        #expect(passed.output == second)
        #expect(passed.response.status == 0 && passed.response.dataLength == UInt32(second.count))
        #expect(logs.all.contains { $0.hasPrefix("warning held messages together reached the hold total of 10000 bytes") })
        #expect(logs.all.contains { $0.contains("1 header line(s) could not be added to the message: held messages together reached the hold total") })
        // The first is still held, then released with its line.
        let session = try #require(waiting.withLock { $0 })
        session.accept(prepending: ["X-Tag: 20"])
        let output = try readToEnd(pipe.sink)
        #expect(output == Array("X-Tag: 20\n".utf8) + first)
        #expect(try smtpd.expectResponse(to: qid, .eom).response.dataLength == UInt32(output.count))
        // Its bytes were given back: a message as large as the second is held and tagged now.
        try openData(smtpd, 22)
        let tagged = try smtpd.pushMessage(second, session: 22)
        #expect(tagged.output == Array("X-Tag: 22\n".utf8) + second)
    }

    @Test("a rejected held message is still written out and its sink closed")
    func rejected() throws {
        let smtpd = try startInProcessFilter { filter in
            filter.holdsMessage = { _ in true }
            filter.holdLimits = MessageHoldLimits(memoryLimit: 0)
            filter.onEOM = { session, _ in session.reject(status: .fail, code: 554, line: "5.7.1 no") }
        }
        try openData(smtpd, 6)
        let message = sampleMessage(bytes: 50_000)
        let result = try smtpd.pushMessage(message, session: 6)
        #expect(result.output == message)
        #expect(result.response.status == 1 && result.response.code == 554 && result.response.dataLength == UInt32(message.count))
    }

    @Test("a spill directory that cannot be written: the message is passed on as it is, logged once")
    func unwritableDirectory() throws {
        let logs = LogRecorder()
        let smtpd = try startInProcessFilter(logs: logs) { filter in
            filter.holdsMessage = { _ in true }
            filter.holdLimits = MessageHoldLimits(memoryLimit: 1000, directory: "/nonexistent/spill")
            filter.onEOM = { session, _ in session.accept(prepending: ["X-Tag: 1"]) }
        }
        try openData(smtpd, 7)
        let message = sampleMessage(bytes: 200_000)
        let result = try smtpd.pushMessage(message, session: 7)
        #expect(result.output == message && result.response.dataLength == UInt32(message.count))
        #expect(
            logs.all.filter { $0.contains("cannot spill the held message") && $0.contains("/nonexistent/spill") && $0.contains("passed on without waiting") }
                .count == 1)
        #expect(logs.all.contains { $0.contains("1 header line(s) could not be added to the message: cannot spill the held message") })
    }

    @Test("a session that ends while its message is held frees the hold and closes the sink")
    func disconnectWhileHeld() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let path = directory.path
        let smtpd = try startInProcessFilter { filter in
            filter.holdsMessage = { _ in true }
            filter.holdLimits = MessageHoldLimits(memoryLimit: 0, directory: path)
        }
        try openData(smtpd, 8)
        let pipe = try smtpd.openDataPipe(session: 8)
        defer { close(pipe.sink); close(pipe.input) }
        try writeAll(sampleMessage(bytes: 20_000), to: pipe.input)
        let deadline = Date() + 5
        while directory.openUnlinkedFiles == 0 && Date() < deadline { usleep(1000) }
        #expect(directory.openUnlinkedFiles == 1)
        try smtpd.event(.disconnect, session: 8)
        #expect(try readToEnd(pipe.sink).isEmpty)
        while directory.openUnlinkedFiles > 0 && Date() < deadline { usleep(1000) }
        #expect(directory.openUnlinkedFiles == 0 && directory.entries.isEmpty)
        // The filter goes on serving.
        try openData(smtpd, 9)
        #expect(try smtpd.pushMessage(Array("x\n".utf8), session: 9).output == Array("x\n".utf8))
    }

    @Test("lines to prepend to a message that is not held, or to another query, are refused with a warning")
    func notHeld() throws {
        let logs = LogRecorder()
        let smtpd = try startInProcessFilter(logs: logs) { filter in
            filter.holdsMessage = { _ in false }
            filter.onHELO = { session, _ in session.accept(prepending: ["X-No: 1"]) }
            filter.onEOM = { session, _ in session.accept(prepending: ["X-No: 1"]) }
        }
        #expect(try smtpd.ask(.helo, session: 10, extra: SMTPDDouble.heloExtra("x")).status == 0)
        try openData(smtpd, 10)
        let message = Array("a\nb\n".utf8)
        let result = try smtpd.pushMessage(message, session: 10)
        #expect(result.output == message && result.response.status == 0 && result.response.dataLength == 4)
        #expect(logs.all.contains { $0.contains("1 header line(s) could not be added: QUERY_HELO is not the end of a message") })
        #expect(logs.all.contains { $0.contains("1 header line(s) could not be added to the message: the message was not held") })
    }
}

/// The directory checks of ``ScratchDirectory`` for a path only (Sendable, for callbacks).
struct ScratchDirectoryView: Sendable {
    let path: String
    var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
    var openUnlinkedFiles: Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)") else { return false }
            return target.hasPrefix(path + "/") && target.hasSuffix(" (deleted)")
        }.count
    }
}

/// Writes all of `bytes` to a non-blocking descriptor.
func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
        if n > 0 { offset += n; continue }
        guard n < 0 && (errno == EAGAIN || errno == EINTR) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&entry, 1, 1000)
    }
}

/// Reads a non-blocking descriptor to its end (10 s at most).
func readToEnd(_ fd: Int32) throws -> [UInt8] {
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    let deadline = Date() + 10
    while Date() < deadline {
        let n = read(fd, &buffer, buffer.count)
        if n > 0 { output += buffer[0..<n]; continue }
        if n == 0 { return output }
        guard errno == EAGAIN || errno == EINTR else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, 100)
    }
    throw POSIXError(.ETIMEDOUT)
}
