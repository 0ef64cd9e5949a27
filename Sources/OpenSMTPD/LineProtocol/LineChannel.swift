import COpenSMTPDShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The daemon's channel in the line protocol: lines read from one descriptor, answers
/// written to another. Works whether the descriptors are blocking or not, sockets or pipes.
///
/// Answers are queued and written in one go before the channel waits for more input (or
/// when ``flushThreshold`` bytes are queued), so the lines of a message that arrived
/// together are answered with one write, and the daemon always has every answer before the
/// filter waits.
///
/// Memory stays bounded whatever the daemon does: nothing is read while an answer is
/// unsent (a daemon that stops reading stops the filter, it does not fill its memory), so
/// at most ``flushThreshold`` plus one answer are queued, and the input buffer holds at
/// most one line of `maximumLineLength` plus one read.
///
/// A held message is written through ``queue(_:)`` piece by piece, so at most
/// ``flushThreshold`` plus one piece of it is in memory.
///
/// Writes never raise SIGPIPE (see `copensmtpd_write_nosigpipe`). A daemon that stops
/// reading (EPIPE, ECONNRESET on a write) or resets the channel (ECONNRESET on a read) has
/// closed it: ``readLine()`` then returns nil, as at the end of input, and
/// ``peerStoppedReading`` says what happened.
final class LineChannel {
    /// Queued answers beyond this are written before the next line is handled.
    static let flushThreshold = 65536

    private let input: Int32
    private let output: Int32
    private let outputIsSocket: Int32
    private let maximumLineLength: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var pending: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 65536)
    /// Set when a write found the daemon gone.
    private(set) var peerStoppedReading: StoppedReading?

    /// Answers given off the loop (deferred answers, released messages): a descriptor that
    /// is readable while some wait, a cheap check, and what takes them and writes their
    /// bytes through the function it is given (``queue(_:)``, in bounded pieces).
    struct LateAnswers {
        var descriptor: Int32
        var waiting: () -> Bool
        var take: (_ emit: LineEmit) throws(LineProtocolError) -> Void
    }

    private let lateAnswers: LateAnswers?

    init(input: Int32, output: Int32, maximumLineLength: Int, lateAnswers: LateAnswers? = nil) {
        self.input = input
        self.output = output
        self.lateAnswers = lateAnswers
        self.outputIsSocket = copensmtpd_is_socket(output) == 1 ? 1 : 0
        self.maximumLineLength = maximumLineLength
    }

    /// Bytes queued and not yet written.
    var unsentByteCount: Int { pending.count }

    /// The next line without its `\n`, or nil at end of input (or when the daemon closed the
    /// channel some other way, see ``peerStoppedReading``).
    func readLine() throws(LineProtocolError) -> [UInt8]? {
        while peerStoppedReading == nil {
            if let lateAnswers, lateAnswers.waiting() { try lateAnswers.take(queue) }
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
                // Input cut short by a daemon that stopped reading is not a truncated line.
                if scanned > 0 && peerStoppedReading == nil { throw .truncatedLine(bufferedBytes: scanned) }
                return nil
            }
        }
        return nil
    }

    /// Reads what is available; false at end of input. Queued answers go out first.
    private func fill() throws(LineProtocolError) -> Bool {
        try flush()
        if peerStoppedReading != nil { return false }
        while true {
            if let lateAnswers {
                // Wait for input or for answers given off the loop, whichever comes first.
                var entries = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: lateAnswers.descriptor, events: Int16(POLLIN), revents: 0)]
                if poll(&entries, 2, -1) < 0 {
                    if errno == EINTR { continue }
                    throw .channel(operation: "poll", errno: errno)
                }
                if entries[1].revents != 0 {
                    try lateAnswers.take(queue)
                    try flush()
                    if peerStoppedReading != nil { return false }
                }
                if entries[0].revents == 0 { continue }
            }
            let count = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer += chunk[0..<count]
                return true
            }
            if count == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: if lateAnswers == nil { try wait(for: input, events: Int16(POLLIN)) }
            // The daemon closed its end with our answers unread: the same as the end of input.
            case ECONNRESET: return false
            default: throw .channel(operation: "read", errno: errno)
            }
        }
    }

    /// Queues `bytes` for the next flush.
    func queue(_ bytes: [UInt8]) throws(LineProtocolError) {
        guard peerStoppedReading == nil else { return }
        pending += bytes
        if pending.count >= Self.flushThreshold { try flush() }
    }

    /// Writes everything queued, waiting while the daemon's side is full.
    func flush() throws(LineProtocolError) {
        var offset = 0
        defer { pending.removeAll(keepingCapacity: pending.capacity <= 4 * Self.flushThreshold) }
        while offset < pending.count && peerStoppedReading == nil {
            let count = pending[offset...].withUnsafeBytes {
                copensmtpd_write_nosigpipe(output, $0.baseAddress, $0.count, outputIsSocket)
            }
            if count >= 0 {
                offset += count
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(for: output, events: Int16(POLLOUT))
            case EPIPE, ECONNRESET:
                peerStoppedReading = StoppedReading(reason: "write: \(String(cString: strerror(errno)))",
                                                        unsentBytes: pending.count - offset)
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

/// Where the line filter writes bytes for the daemon: the channel's queue in `serve()`, an
/// array when driven in memory.
typealias LineEmit = ([UInt8]) throws(LineProtocolError) -> Void
