import Foundation
#if canImport(Glibc)
    import Glibc
#endif
@testable import OpenSMTPD
import Testing

/// The line channel's input: lines of any length up to the maximum, split across reads in
/// any way, come out whole and in order, on blocking and non-blocking channels; the buffer
/// stays within its bound.
@Suite("Line channel: reading lines")
struct LineChannelInputTests {
    /// Lines of many lengths: short ones, ones around the read size, one far over it.
    static let lines: [[UInt8]] = {
        var lines: [[UInt8]] = []
        for (index, length) in [0, 1, 73, 65_535, 65_536, 65_537, 10, 200_000, 3, 900_000, 0, 5].enumerated() {
            lines.append((0..<length).map { UInt8(ascii: "a") + UInt8(($0 + index) % 26) })
        }
        for index in 0..<2_000 { lines.append(Array("line \(index) of many short ones".utf8)) }
        return lines
    }()

    /// Writes `bytes` to `descriptor` in pieces of the given sizes, in turn, then closes it.
    static func write(_ bytes: [UInt8], to descriptor: Int32, pieces: [Int]) {
        var offset = 0, piece = 0
        while offset < bytes.count {
            let count = min(pieces[piece % pieces.count], bytes.count - offset)
            piece += 1
            var written = 0
            while written < count {
                let result = bytes[(offset + written)...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, count - written) }
                if result > 0 {
                    written += result
                } else {
                    var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&entry, 1, 100)
                }
            }
            offset += count
        }
        close(descriptor)
    }

    /// Sends `input` through a socketpair (the channel's end blocking or not) and returns
    /// the lines the channel reads, the error that ended them, and its buffer size.
    static func read(
        _ input: [UInt8], nonBlocking: Bool, maximumLineLength: Int = 1 << 20,
        pieces: [Int]
    ) -> (lines: [[UInt8]], error: LineProtocolError?, storage: Int) {
        var pair: [Int32] = [-1, -1]
        _ = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair)
        let (filterEnd, daemonEnd) = (pair[0], pair[1])
        defer { close(filterEnd) }
        if nonBlocking { _ = fcntl(filterEnd, F_SETFL, fcntl(filterEnd, F_GETFL) | O_NONBLOCK) }
        _ = fcntl(daemonEnd, F_SETFL, fcntl(daemonEnd, F_GETFL) | O_NONBLOCK)
        let writer = Thread { write(input, to: daemonEnd, pieces: pieces) }
        writer.start()
        let channel = LineChannel(input: filterEnd, output: filterEnd, maximumLineLength: maximumLineLength)
        var lines: [[UInt8]] = []
        var storage = 0
        do {
            while let line = try channel.readLine() {
                lines.append(line)
                storage = max(storage, channel.inputStorage)
            }
        } catch {
            while !writer.isFinished { usleep(1_000) }
            return (lines, error, storage)
        }
        return (lines, nil, storage)
    }

    @Test(
        "every line comes out whole and in order, however the input is cut",
        .timeLimit(.minutes(1)),
        arguments: [(false, [65_536]), (true, [65_536]), (true, [1, 7, 4_096, 100_000]), (false, [3, 70_000, 13])])
    func linesComeOutWhole(nonBlocking: Bool, pieces: [Int]) {
        let input: [UInt8] = Self.lines.flatMap { $0 + [UInt8(10)] }
        let (lines, error, storage) = Self.read(input, nonBlocking: nonBlocking, pieces: pieces)
        #expect(error == nil)
        #expect(lines.count == Self.lines.count)
        #expect(lines == Self.lines)
        #expect(storage <= (1 << 20) + 3 * LineChannel.readSize, "input buffer of \(storage) bytes")
    }

    @Test(
        "the maximum is exact: a line of the maximum passes, one byte more is refused, however the reads fall",
        .timeLimit(.minutes(1)), arguments: [[65_536], [1_000_000], [7, 4_096]])
    func exactMaximum(pieces: [Int]) {
        let maximum = 65_536
        let longest = [UInt8](repeating: UInt8(ascii: "k"), count: maximum)
        let passes = Self.read(longest + [10] + Array("next\n".utf8), nonBlocking: true, maximumLineLength: maximum, pieces: pieces)
        #expect(passes.error == nil)
        #expect(passes.lines == [longest, Array("next".utf8)])
        let refused = Self.read(
            Array("first\n".utf8) + longest + [UInt8(ascii: "k"), 10], nonBlocking: true,
            maximumLineLength: maximum, pieces: pieces)
        #expect(refused.lines == [Array("first".utf8)])
        guard case .lineTooLong(let length, maximum)? = refused.error else {
            Issue.record("expected lineTooLong with the maximum \(maximum), got \(String(describing: refused.error))")
            return
        }
        #expect(length > maximum)
    }

    @Test("a line over the maximum is an error, and so is input that ends inside a line", .timeLimit(.minutes(1)))
    func badInput() {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 300_000) + [10]
        let tooLong = Self.read(Array("first\n".utf8) + long, nonBlocking: true, maximumLineLength: 100_000, pieces: [65_536])
        #expect(tooLong.lines == [Array("first".utf8)])
        guard case .lineTooLong? = tooLong.error else {
            Issue.record("expected lineTooLong, got \(String(describing: tooLong.error))")
            return
        }
        #expect(tooLong.storage <= 100_000 + 3 * LineChannel.readSize)
        let cut = Self.read(Array("whole\npart".utf8), nonBlocking: false, pieces: [3])
        #expect(cut.lines == [Array("whole".utf8)])
        guard case .truncatedLine(bufferedBytes: 4)? = cut.error else {
            Issue.record("expected truncatedLine of 4 bytes, got \(String(describing: cut.error))")
            return
        }
    }
}
