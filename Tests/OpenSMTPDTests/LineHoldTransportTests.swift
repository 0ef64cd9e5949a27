import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif
import OpenSMTPD
import Testing
import TestSupport

/// The line protocol through the real transport: ``LineFilter/serve()`` on a socket.
@Suite("Held messages (line protocol) through serve()")
struct LineHoldTransportTests {
    /// The daemon's end of the socket: lines written, lines read.
    final class DaemonEnd {
        let fd: Int32
        private var inbox: [UInt8] = []
        private var start = 0

        init(fd: Int32) { self.fd = fd }

        func send(_ bytes: [UInt8]) throws {
            try writeAll(bytes, to: fd)
        }

        func line(timeout: Double = 10) throws -> [UInt8] {
            let deadline = Date() + timeout
            while true {
                if let newline = inbox[start...].firstIndex(of: 10) {
                    let line = Array(inbox[start..<newline])
                    start = newline + 1
                    if start > 1 << 20 { inbox.removeFirst(start); start = 0 }
                    return line
                }
                guard Date() < deadline else { throw POSIXError(.ETIMEDOUT) }
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&entry, 1, 100)
                var buffer = [UInt8](repeating: 0, count: 65536)
                let n = read(fd, &buffer, buffer.count)
                if n > 0 { inbox += buffer[0..<n] } else if n == 0 { throw POSIXError(.ECONNRESET) }
            }
        }

        /// Whether a line comes within `timeout` seconds (it stays unread).
        func nothingArrives(within timeout: Double) -> Bool {
            if inbox[start...].contains(10) { return false }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            return poll(&entry, 1, Int32(timeout * 1000)) == 0
        }
    }

    @Test("a 2 MiB message spilled and held while another session is served, released from another thread", .timeLimit(.minutes(1)))
    func heldThroughServe() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        let daemon = DaemonEnd(fd: pair[0])
        _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
        let releases = Mutex<HeldMessageRelease?>(nil)
        let logs = LogRecorder()
        let limits = MessageHoldLimits(memoryLimit: 64 << 10, directory: directory.path)
        let filterEnd = pair[1]
        let served = Atomic<Bool>(false)
        let thread = Thread {
            let filter = LineFilter(input: filterEnd, output: filterEnd, logger: logs.logger())
            filter.holdLimits = limits
            filter.holdsMessage = { $0.id == 1 }
            filter.onHELO = { _, _ in .proceed }
            filter.onMessageEnd = { _, release in releases.withLock { $0 = release } }
            do { try filter.serve() } catch { logs.append("serve failed: \(error)") }
            close(filterEnd)
            served.store(true, ordering: .releasing)
        }
        thread.start()
        defer { close(pair[0]) }

        try daemon.send(Array("config|smtpd-version|6.8.0p2\nconfig|subsystem|smtp-in\nconfig|ready\n".utf8))
        while try daemon.line() != Array("register|ready".utf8) {}
        for id in ["0000000000000001", "0000000000000002"] {
            try daemon.send(Array("report|0.6|1.0|smtp-in|link-connect|\(id)|a|pass|192.0.2.7:1|192.0.2.1:25\n".utf8))
        }
        let request = Array("filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa|".utf8)
        let answer = Array("filter-dataline|0000000000000001|00000000000000aa|".utf8)
        var lines: [[UInt8]] = []
        var size = 0
        while size < 2 << 20 {
            let line: [UInt8] =
                lines.count % 97 == 0
                ? Array("..stuffed \(lines.count)".utf8)
                : Array("line \(lines.count) \u{e9}\u{e8} ".utf8) + Array(repeating: UInt8(ascii: "z"), count: lines.count % 300)
            lines.append(line)
            size += line.count + 1
        }
        var wire: [UInt8] = []
        for line in lines + [[UInt8(ascii: ".")]] { wire += request + line + [10] }
        try daemon.send(wire)

        // Held: nothing comes back for session 1, while session 2 is answered.
        let deadline = Date() + 10
        while releases.withLock({ $0 }) == nil && Date() < deadline { usleep(1000) }
        let release = try #require(releases.withLock { $0 })
        #expect(release.isHeld && directory.entries.isEmpty && directory.openUnlinkedFiles == 1)
        try daemon.send(Array("filter|0.6|1.0|smtp-in|helo|0000000000000002|00000000000000bb|x.example\n".utf8))
        #expect(try daemon.line() == Array("filter-result|0000000000000002|00000000000000bb|proceed".utf8))
        #expect(daemon.nothingArrives(within: 0.1))

        Thread.detachNewThread { release.release(prepending: ["X-Spam: yes"]) }
        #expect(try daemon.line() == answer + Array("X-Spam: yes".utf8))
        var mismatches = 0
        for line in lines where try daemon.line() != answer + line { mismatches += 1 }
        #expect(mismatches == 0)
        #expect(try daemon.line() == answer + [UInt8(ascii: ".")])
        #expect(directory.openUnlinkedFiles == 0)

        shutdown(pair[0], Int32(SHUT_WR))
        while !served.load(ordering: .acquiring) && Date() < deadline + 5 { usleep(1000) }
        let finished = served.load(ordering: .acquiring)
        #expect(finished)
        #expect(!logs.all.contains { $0.hasPrefix("serve failed") })
    }
}
