#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's channel in the line protocol: lines read from one descriptor, answers
/// written to another. Works whether the descriptors are blocking or not.
///
/// Answers are queued and written in one go before the channel waits for more input (or
/// when 64 KiB are queued), so the lines of a message that arrived together are answered
/// with one write, and the daemon always has every answer before the filter waits.
final class LineChannel {
    private let input: Int32
    private let output: Int32
    private let maximumLineLength: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var pending: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 65536)

    init(input: Int32, output: Int32, maximumLineLength: Int) {
        self.input = input
        self.output = output
        self.maximumLineLength = maximumLineLength
    }

    /// The next line without its `\n`, or nil at end of input.
    func readLine() throws(LineProtocolError) -> [UInt8]? {
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: 10) {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                scanned = 0
                if start > 65536 && start * 2 > buffer.count {
                    buffer.removeSubrange(0..<start)
                    start = 0
                }
                return line
            }
            scanned = buffer.count - start
            if scanned > maximumLineLength { throw .lineTooLong(length: scanned, maximum: maximumLineLength) }
            if try !fill() {
                if scanned > 0 { throw .truncatedLine(bufferedBytes: scanned) }
                return nil
            }
        }
    }

    /// Reads what is available; false at end of input. Queued answers go out first.
    private func fill() throws(LineProtocolError) -> Bool {
        try flush()
        while true {
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer += chunk[0..<count]
                return true
            }
            if count == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: input, events: Int16(POLLIN))
            default: throw .channel(operation: "read", errno: errno)
            }
        }
    }

    /// Queues `bytes` for the next flush.
    func queue(_ bytes: [UInt8]) throws(LineProtocolError) {
        pending += bytes
        if pending.count >= 65536 { try flush() }
    }

    /// Writes everything queued.
    func flush() throws(LineProtocolError) {
        var offset = 0
        defer { pending.removeAll(keepingCapacity: true) }
        while offset < pending.count {
            let count = pending[offset...].withUnsafeBytes { Glibc.write(output, $0.baseAddress, $0.count) }
            if count >= 0 {
                offset += count
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: output, events: Int16(POLLOUT))
            default: throw .channel(operation: "write", errno: errno)
            }
        }
    }

    private func wait(for descriptor: Int32, events: Int16) throws(LineProtocolError) {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        while poll(&entry, 1, -1) < 0 {
            if errno != EINTR { throw .channel(operation: "poll", errno: errno) }
        }
    }
}
