import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The daemon's channel in the line protocol: lines read from one descriptor, answers
/// written to another. Works whether the descriptors are blocking or not, sockets or pipes.
///
/// Answers go out as soon as they are ready, in writes large enough to be cheap: whenever
/// ``earlyWriteBytes`` are queued, or the oldest queued answer has waited
/// ``answerDelay`` nanoseconds, the channel writes what the daemon's side takes without
/// waiting, and goes on handling lines; before it waits for more input it writes again. So
/// the first answers of a large read do not wait for the whole read to be handled, and the
/// lines of a message that arrived together still go back in a few large writes.
///
/// No write ever waits while the daemon has more to send and fewer than ``maximumUnsent``
/// bytes of answers are unsent: a daemon that writes a large batch before it reads its
/// answers is read on, not deadlocked. Memory stays bounded whatever the daemon does: at
/// ``maximumUnsent`` queued bytes the channel waits until the daemon takes them (a daemon
/// that stops reading stops the filter, it does not fill its memory), so at most
/// ``maximumUnsent`` plus one answer are queued, and the input buffer is at most one line of
/// `maximumLineLength` and three reads (``readSize``) long.
///
/// A held message is written through ``queue(_:)`` piece by piece, so at most
/// ``maximumUnsent`` plus one piece of it is in memory.
///
/// Writes never raise SIGPIPE (see `copensmtpd_write_nosigpipe`). A daemon that stops
/// reading (EPIPE, ECONNRESET on a write) or resets the channel (ECONNRESET on a read) has
/// closed it: ``readLine()`` then returns nil, as at the end of input, and
/// ``peerStoppedReading`` says what happened.
///
/// A channel is used by one thread, the one that serves. Its variables are
/// `@exclusivity(unchecked)`: the runtime's exclusivity checks were a sixth of the time a
/// message line took on this path (profiled), and no access can overlap another (a line
/// lent to a callback is only read while answers are queued; nothing reads meanwhile).
final class LineChannel {
    /// Queued answers are written (as far as the daemon takes them now) once this many bytes wait…
    static let earlyWriteBytes = 64 << 10
    /// …or once the oldest of them has waited this long, in nanoseconds.
    static let answerDelay: UInt64 = 200_000
    /// Queued answers beyond this are written, waiting for the daemon, before the next line is handled.
    static let maximumUnsent = 1 << 20
    /// Room a read is given at least.
    static let readSize = 64 << 10

    private let input: Int32
    private let output: Int32
    private let outputIsSocket: Int32
    private let maximumLineLength: Int
    /// Input read and not yet handled is `buffer.bytes[start...]` (up to `buffer.count`);
    /// its first `scanned` bytes hold no newline. Reads go straight into the rest of the
    /// buffer, which grows only for a line longer than it (up to `maximumLineLength`).
    @exclusivity(unchecked) private var buffer = ByteBuffer(capacity: LineChannel.readSize * 2)
    @exclusivity(unchecked) private var start = 0
    @exclusivity(unchecked) private var scanned = 0
    /// Bytes the input buffer holds (for tests of its bound).
    var inputStorage: Int { buffer.capacity }
    /// Whether reading the input never waits (smtpd's channel): then it is read before it
    /// is polled, and polled only when it has nothing.
    private let inputIsNonBlocking: Bool
    /// Queued answers; the first `sent` bytes are written already.
    @exclusivity(unchecked) private var pending = ByteBuffer(capacity: LineChannel.earlyWriteBytes * 2)
    @exclusivity(unchecked) private var sent = 0
    /// When the oldest unsent answer was queued (monotonic nanoseconds).
    @exclusivity(unchecked) private var pendingSince: UInt64 = 0
    /// Answers queued since the clock was last read (it is read every eighth).
    @exclusivity(unchecked) private var queuedSinceClock = 0
    /// Unsent bytes at which the next early write is tried: ``earlyWriteBytes`` more than
    /// an early write left unsent, so a daemon whose side is full does not cost a failing
    /// write for every answer queued after it.
    @exclusivity(unchecked) private var nextEarlyWrite = LineChannel.earlyWriteBytes
    /// Non-blocking writes tried before the loop waits for input (for tests of the above).
    @exclusivity(unchecked) private(set) var earlyWriteCount = 0
    /// Bytes the answer queue holds, written ones included (for tests of its bound).
    var queueStorage: Int { pending.count }
    /// Set when a write found the daemon gone.
    @exclusivity(unchecked) private(set) var peerStoppedReading: StoppedReading?

    /// Answers given off the loop (deferred answers, released messages): their queue (its
    /// descriptor is readable while some wait), and what takes them and writes their bytes
    /// through the function it is given (``queue(_:)``, in bounded pieces).
    struct LateAnswers {
        var queue: LineDeferredAnswers
        var take: (_ emit: LineEmit) throws(LineProtocolError) -> Void
    }

    private let lateAnswers: LateAnswers?
    /// The queue of ``lateAnswers``, asked before every line whether answers wait. Unmanaged
    /// (``lateAnswers`` owns it): the closure this was, and a reference taken the usual way,
    /// were retained and released for every line.
    private let lateQueue: Unmanaged<LineDeferredAnswers>?

    init(input: Int32, output: Int32, maximumLineLength: Int, lateAnswers: LateAnswers? = nil) {
        self.input = input
        self.output = output
        self.lateAnswers = lateAnswers
        self.lateQueue = lateAnswers.map { Unmanaged.passUnretained($0.queue) }
        self.outputIsSocket = copensmtpd_is_socket(output) == 1 ? 1 : 0
        self.maximumLineLength = maximumLineLength
        self.inputIsNonBlocking = fcntl(input, F_GETFL) & O_NONBLOCK != 0
    }

    /// The next line without its `\n`, or nil at end of input (or when the daemon closed the
    /// channel some other way, see ``peerStoppedReading``).
    func readLine() throws(LineProtocolError) -> [UInt8]? {
        try nextLine().map { Array($0) }
    }

    /// The next line without its `\n`, lent from the input buffer: valid only until the
    /// next call of a method of the channel (no copy is made); nil at end of input (or when
    /// the daemon closed the channel some other way, see ``peerStoppedReading``).
    func nextLine() throws(LineProtocolError) -> UnsafeBufferPointer<UInt8>? {
        while peerStoppedReading == nil {
            if let lateQueue, lateQueue._withUnsafeGuaranteedRef({ $0.hasAnswers }) { try lateAnswers?.take(queue) }
            let base = buffer.base
            let from = start + scanned, end = buffer.count
            if from < end, let hit = memchr(base + from, 10, end - from) {
                let newline = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                let lineStart = start
                // The maximum is exact: a longer line is refused however it was cut into
                // reads (one found whole in a read is not let through).
                if newline - lineStart > maximumLineLength {
                    throw .lineTooLong(length: newline - lineStart, maximum: maximumLineLength)
                }
                start = newline + 1
                scanned = 0
                return UnsafeBufferPointer(start: base + lineStart, count: newline - lineStart)
            }
            scanned = end - start
            if scanned > maximumLineLength { throw .lineTooLong(length: scanned, maximum: maximumLineLength) }
            if try !fill() {
                // Input cut short by a daemon that stopped reading is not a truncated line.
                if scanned > 0 && peerStoppedReading == nil { throw .truncatedLine(bufferedBytes: scanned) }
                return nil
            }
        }
        return nil
    }

    /// Reads what is available; false at end of input. Queued answers are written as the
    /// daemon takes them meanwhile (see the type: waiting for input never waits for a write).
    private func fill() throws(LineProtocolError) -> Bool {
        try writeAvailable()
        if peerStoppedReading != nil { return false }
        // Input that is there already is taken without a poll (as a read that waits would
        // not be: a blocking channel is polled first).
        if inputIsNonBlocking, let more = try readAvailable() { return more }
        while true {
            // Wait for input, for answers given off the loop, or for room for queued answers.
            var entries = [
                pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                pollfd(fd: lateAnswers?.queue.wakeDescriptor ?? -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: unsentCount > 0 ? output : -1, events: Int16(POLLOUT), revents: 0),
            ]
            if poll(&entries, 3, -1) < 0 {
                if errno == EINTR { continue }
                throw .channel(operation: "poll", errno: errno)
            }
            if entries[2].revents != 0 {
                try writeAvailable()
                if peerStoppedReading != nil { return false }
            }
            if entries[1].revents != 0, let lateAnswers {
                try lateAnswers.take(queue)
                try writeAvailable()
                if peerStoppedReading != nil { return false }
            }
            if entries[0].revents == 0 { continue }
            if let more = try readAvailable() { return more }
        }
    }

    /// Reads into the buffer after what it holds: true when bytes came, false at the end of
    /// input, nil when there is nothing to read now.
    private func readAvailable() throws(LineProtocolError) -> Bool? {
        makeRoom()
        while true {
            let count = read(input, buffer.base + buffer.count, buffer.capacity - buffer.count)
            if count > 0 {
                buffer.count += count
                return true
            }
            if count == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            // The daemon closed its end with our answers unread: the same as the end of input.
            case ECONNRESET: return false
            default: throw .channel(operation: "read", errno: errno)
            }
        }
    }

    /// Moves the unhandled input to the front of the buffer when that gives a read its
    /// room, and grows the buffer when the unhandled input (a long line) leaves too little.
    private func makeRoom() {
        if start == buffer.count {
            start = 0
            buffer.count = 0
        } else if buffer.capacity - buffer.count < Self.readSize && start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let end = buffer.count
        if buffer.capacity - end < Self.readSize {
            // Doubled, but never beyond the longest line and two reads.
            let size = min(max(2 * buffer.capacity, end + Self.readSize), maximumLineLength + 3 * Self.readSize)
            buffer.resize(to: max(size, end + Self.readSize))
        }
    }

    /// Bytes queued and not yet written.
    var unsentCount: Int { pending.count - sent }

    /// Queues `bytes`; writes early or waits as the type says.
    func queue(_ bytes: [UInt8]) throws(LineProtocolError) {
        guard peerStoppedReading == nil else { return }
        if unsentCount == 0 { pendingSince = Self.now() }
        pending.append(bytes)
        try queued()
    }

    /// Queues one answer line made of `head`, `body` and a `\n` (a `filter-dataline` prefix
    /// and a message line), copied straight into the queue.
    func queueLine(_ head: UnsafeBufferPointer<UInt8>, _ body: UnsafeBufferPointer<UInt8>) throws(LineProtocolError) {
        guard peerStoppedReading == nil else { return }
        if unsentCount == 0 { pendingSince = Self.now() }
        pending.appendLine(head, body)
        try queued()
    }

    /// After an answer was queued: write what the daemon takes now when enough waits or
    /// the oldest has waited long enough; wait for the daemon beyond ``maximumUnsent``.
    private func queued() throws(LineProtocolError) {
        let unsent = unsentCount
        if unsent >= Self.maximumUnsent { return try flush() }
        if unsent >= nextEarlyWrite { return try writeEarly() }
        queuedSinceClock += 1
        if queuedSinceClock >= 8 {
            queuedSinceClock = 0
            if Self.now() &- pendingSince >= Self.answerDelay { try writeEarly() }
        }
    }

    /// An early write: what the daemon takes now; the next one once enough more is queued
    /// or has waited long enough.
    private func writeEarly() throws(LineProtocolError) {
        earlyWriteCount += 1
        try writeAvailable()
        nextEarlyWrite = unsentCount + Self.earlyWriteBytes
        pendingSince = Self.now()
    }

    /// Writes what the daemon's side takes now, without waiting.
    private func writeAvailable() throws(LineProtocolError) { try writeQueued(waiting: false) }

    /// Writes everything queued, waiting while the daemon's side is full.
    func flush() throws(LineProtocolError) { try writeQueued(waiting: true) }

    private func writeQueued(waiting: Bool) throws(LineProtocolError) {
        while unsentCount > 0 && peerStoppedReading == nil {
            let from = pending.base + sent, unsent = pending.count - sent
            let count =
                waiting
                ? copensmtpd_write_nosigpipe(output, from, unsent, outputIsSocket)
                : copensmtpd_write_nowait(output, from, unsent, outputIsSocket)
            if count >= 0 {
                wrote(count)
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard waiting else { return }
                try wait(for: output, events: Int16(POLLOUT))
            default: try writeFailed()
            }
        }
    }

    /// `count` more queued bytes were written: the queue is emptied once all are, and the
    /// written part dropped once it is over half the queue (a daemon that always takes a
    /// little less than is queued must not make the queue grow without end).
    private func wrote(_ count: Int) {
        sent += count
        // The daemon took bytes: early writes may be tried again from where the queue stands.
        nextEarlyWrite = min(nextEarlyWrite, unsentCount + Self.earlyWriteBytes)
        if sent == pending.count {
            pending.count = 0
            // A queue that grew for a large answer (a held message) gives its memory back.
            if pending.capacity > 4 * Self.maximumUnsent { pending.resize(to: 2 * Self.earlyWriteBytes) }
            sent = 0
        } else if sent >= Self.earlyWriteBytes && sent * 2 >= pending.count {
            pending.removeFirst(sent)
            sent = 0
        }
    }

    /// A write failed with `errno`: the daemon stopped reading (EPIPE, ECONNRESET), or the
    /// channel broke.
    private func writeFailed() throws(LineProtocolError) {
        switch errno {
        case EPIPE, ECONNRESET:
            peerStoppedReading = StoppedReading(reason: "write: \(String(cString: strerror(errno)))", unsentBytes: unsentCount)
        default:
            throw .channel(operation: "write", errno: errno)
        }
    }

    /// Now, in monotonic nanoseconds (CLOCK_MONOTONIC: the coarse clock's ticks are longer
    /// than ``answerDelay``).
    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
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
