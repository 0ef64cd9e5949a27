import Foundation
#if canImport(Glibc)
    import Glibc
#endif
@testable import OpenSMTPD
import Testing

/// The line channel's answer queue against a daemon that reads slowly or not at all.
@Suite("Line channel: the answer queue under a slow daemon")
struct LineChannelQueueTests {
    /// A socketpair with small buffers (`buffer` bytes): the channel on one end, the daemon's
    /// end non-blocking.
    final class Pair {
        let filterEnd: Int32
        let daemonEnd: Int32
        let channel: LineChannel

        init(buffer: Int32 = 4096) {
            var pair: [Int32] = [-1, -1]
            _ = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair)
            (filterEnd, daemonEnd) = (pair[0], pair[1])
            var small = buffer
            setsockopt(filterEnd, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(daemonEnd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            _ = fcntl(daemonEnd, F_SETFL, fcntl(daemonEnd, F_GETFL) | O_NONBLOCK)
            channel = LineChannel(input: filterEnd, output: filterEnd, maximumLineLength: 1 << 20)
        }

        /// Reads at most `count` bytes the channel wrote; how many there were.
        @discardableResult
        func read(upTo count: Int) -> Int {
            var buffer = [UInt8](repeating: 0, count: count)
            return max(0, Glibc.read(daemonEnd, &buffer, count))
        }

        deinit {
            close(filterEnd)
            close(daemonEnd)
        }
    }

    static let line = [UInt8](repeating: UInt8(ascii: "x"), count: 100)
    static let prefix = Array("filter-dataline|0000000000000001|00000000000000aa|".utf8)

    @Test("a daemon that reads nothing costs one early write per 64 KiB queued (or 200 µs), not one per answer")
    func fullDaemonIsNotRetriedPerAnswer() throws {
        let pair = Pair()
        // About 750 KB of answers, under the 1 MiB at which the channel waits.
        for _ in 0..<5_000 {
            try Self.line.withUnsafeBufferPointer { line in try Self.prefix.withUnsafeBufferPointer { try pair.channel.queueLine($0, line) } }
        }
        #expect(pair.channel.unsentCount > 700_000)
        // 750 KB / 64 KiB = 12 size-triggered writes, plus those of the 200 µs answer delay.
        #expect(pair.channel.earlyWriteCount < 500, "\(pair.channel.earlyWriteCount) early writes for 5,000 answers")
    }

    @Test(
        "a daemon that always takes less than is queued: the queue holds about what is unsent, not everything since it last emptied",
        .timeLimit(.minutes(1)))
    func writtenPartIsDropped() throws {
        // Each round queues a little more than an early write (68 KB) and the daemon reads
        // up to 64 KiB; the buffers take part of each early write, not all of it.
        let pair = Pair(buffer: 32 << 10)
        var queued = 0
        for _ in 0..<40 {
            // Past this the channel would wait for a daemon that reads only between rounds.
            guard pair.channel.unsentCount + 70_000 < LineChannel.maximumUnsent else {
                Issue.record("\(pair.channel.unsentCount) bytes unsent: the daemon took too little to go on")
                break
            }
            for _ in 0..<450 {
                try Self.line.withUnsafeBufferPointer { line in try Self.prefix.withUnsafeBufferPointer { try pair.channel.queueLine($0, line) } }
                queued += Self.prefix.count + Self.line.count + 1
            }
            pair.read(upTo: LineChannel.earlyWriteBytes)
        }
        let unsent = pair.channel.unsentCount
        #expect(unsent > 0 && unsent < LineChannel.maximumUnsent)
        #expect(queued - unsent > 500_000, "the daemon took \(queued - unsent) bytes")
        #expect(
            pair.channel.queueStorage <= 2 * unsent + 2 * LineChannel.earlyWriteBytes,
            "\(pair.channel.queueStorage) bytes stored for \(unsent) unsent")
    }
}
