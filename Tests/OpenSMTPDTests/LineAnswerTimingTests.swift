import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif
import OpenSMTPD
import Testing
import TestSupport

/// When the line protocol's answers go out: ``LineFilter/serve()`` on a real socket or pair
/// of pipes, with the daemon's end driven here.
@Suite("Line protocol: answers go out as they are ready, and a batch-writing daemon is read on")
struct LineAnswerTimingTests {
    typealias DaemonEnd = LineHoldTransportTests.DaemonEnd

    /// A filter serving on its own thread; `configure` sets its callbacks.
    final class ServedFilter {
        let daemon: DaemonEnd
        let logs = LogRecorder()
        private let served = ServedFlag()
        private let daemonWrite: Int32
        private let pipes: Bool

        /// On a socketpair, or on two pipes (daemon → filter, filter → daemon) when `pipes`.
        init(pipes: Bool, configure: @escaping @Sendable (LineFilter) -> Void) {
            var input: Int32, output: Int32, daemonRead: Int32
            if pipes {
                var toFilter: [Int32] = [-1, -1], toDaemon: [Int32] = [-1, -1]
                _ = pipe(&toFilter)
                _ = pipe(&toDaemon)
                (input, output, daemonRead, daemonWrite) = (toFilter[0], toDaemon[1], toDaemon[0], toFilter[1])
            } else {
                var pair: [Int32] = [-1, -1]
                _ = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair)
                (input, output, daemonRead, daemonWrite) = (pair[1], pair[1], pair[0], pair[0])
            }
            self.pipes = pipes
            // The daemon's end is non-blocking (DaemonEnd reads after a poll with a timeout).
            _ = fcntl(daemonRead, F_SETFL, fcntl(daemonRead, F_GETFL) | O_NONBLOCK)
            daemon = DaemonEnd(fd: daemonRead)
            let (filterIn, filterOut, logs, served) = (input, output, logs, served)
            Thread.detachNewThread {
                let filter = LineFilter(input: filterIn, output: filterOut, logger: logs.logger())
                configure(filter)
                do { try filter.serve() } catch { logs.append("serve failed: \(error)") }
                close(filterIn)
                if filterOut != filterIn { close(filterOut) }
                served.value.store(true, ordering: .releasing)
            }
        }

        /// Writes `bytes` to the filter, waiting until all are written.
        func send(_ bytes: [UInt8]) throws {
            var offset = 0
            while offset < bytes.count {
                let count = bytes.withUnsafeBytes { write(daemonWrite, $0.baseAddress! + offset, bytes.count - offset) }
                if count > 0 {
                    offset += count
                } else if errno == EAGAIN {
                    var entry = pollfd(fd: daemonWrite, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&entry, 1, 1000)
                } else if errno != EINTR {
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
            }
        }

        func handshake() throws {
            try send(Array("config|smtpd-version|6.8.0p2\nconfig|subsystem|smtp-in\nconfig|ready\n".utf8))
            while try daemon.line() != Array("register|ready".utf8) {}
        }

        /// Ends the input and waits for serve() to return; true when it returned without error.
        func finish() -> Bool {
            if pipes { close(daemonWrite) } else { shutdown(daemonWrite, Int32(SHUT_WR)) }
            let deadline = Date() + 10
            while !served.value.load(ordering: .acquiring) && Date() < deadline { usleep(1000) }
            close(daemon.fd)
            return served.value.load(ordering: .acquiring) && !logs.all.contains { $0.hasPrefix("serve failed") }
        }
    }

    /// How many callbacks ran.
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Whether serve() has returned.
    final class ServedFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    static func helo(_ index: Int) -> [UInt8] {
        Array("filter|0.6|1.0|smtp-in|helo|0000000000000001|\(String(format: "%016x", index))|host\(index).example\n".utf8)
    }

    static func proceed(_ index: Int) -> [UInt8] {
        Array("filter-result|0000000000000001|\(String(format: "%016x", index))|proceed".utf8)
    }

    @Test(
        "the first answers of one large read go out while the rest of it is still being handled",
        .timeLimit(.minutes(1)), arguments: [false, true])
    func firstAnswersDoNotWaitForTheRead(pipes: Bool) throws {
        let handled = Counter()
        let filter = ServedFilter(pipes: pipes) { filter in
            filter.onHELO = { _, _ in
                usleep(2_000)
                handled.value.add(1, ordering: .relaxed)
                return .proceed
            }
        }
        try filter.handshake()
        try filter.send(Array("report|0.6|1.0|smtp-in|link-connect|0000000000000001|a|pass|192.0.2.7:1|192.0.2.1:25\n".utf8))
        // 200 queries in one write (about 14 KB, one read): 2 ms each, 0.4 s in all.
        let count = 200
        try filter.send((0..<count).flatMap(Self.helo))
        #expect(try filter.daemon.line() == Self.proceed(0))
        let handledAtFirstAnswer = handled.value.load(ordering: .relaxed)
        // Before, the first answer waited for all 200; now for the answer delay (checked
        // every eighth answer), a few callbacks.
        #expect(handledAtFirstAnswer < count / 2, "first answer after \(handledAtFirstAnswer) of \(count) queries")
        for index in 1..<count { #expect(try filter.daemon.line() == Self.proceed(index)) }
        #expect(filter.finish())
    }

    @Test(
        "a daemon that writes 600 KB of requests before it reads any answer gets every answer, in order",
        .timeLimit(.minutes(1)), arguments: [false, true])
    func batchWritingDaemonIsReadOn(pipes: Bool) throws {
        let filter = ServedFilter(pipes: pipes) { filter in
            filter.onDataLine = { _, _ in .unchanged }
        }
        try filter.handshake()
        try filter.send(Array("report|0.6|1.0|smtp-in|link-connect|0000000000000001|a|pass|192.0.2.7:1|192.0.2.1:25\n".utf8))
        let request = Array("filter|0.6|1.0|smtp-in|data-line|0000000000000001|00000000000000aa|".utf8)
        let lines = (0..<6_000).map { Array("line \($0) ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 64) }
        var wire: [UInt8] = []
        for line in lines { wire += request + line + [10] }
        #expect(wire.count > 600_000)
        // Everything is written before the first answer is read: more than the socket's
        // (or pipe's) buffers hold in both directions together.
        try filter.send(wire)
        let answer = Array("filter-dataline|0000000000000001|00000000000000aa|".utf8)
        var mismatches = 0
        for line in lines where try filter.daemon.line() != answer + line { mismatches += 1 }
        #expect(mismatches == 0)
        #expect(filter.finish())
    }
}
