import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// One session's message-data pipe: the input end the filter reads, the sink it writes,
/// and the buffered bytes between them.
///
/// A held message's output goes into a ``HeldMessage`` instead of the sink, until
/// ``releaseHold(prepending:)`` (DataPipeConnection+Hold.swift).
final class DataPipeConnection {
    /// Output buffered beyond this pauses reading the input (flow control).
    static let highWaterMark = 1 << 20

    /// The end of the filter's own socketpair it reads the message from.
    private(set) var input: Int32
    /// The descriptor the daemon handed over; output goes there.
    private(set) var sink: Int32
    /// Line splitting and counting.
    var processor: MessageDataProcessor
    var pending: [UInt8] = []
    var written = 0
    /// 1 while the sink is taken for a socket (smtpd passes one), 0 once a send said it is not.
    private var sinkIsSocket: Int32 = 1
    /// Set when the sink failed; output is discarded and the EOM answer is a failure.
    private(set) var failure: String?

    /// Where the output goes: the sink, a hold, or the sink after what a hold kept.
    enum HoldPhase {
        /// Output is written to the sink as it is produced.
        case streaming
        /// Output is kept in the hold; the sink stays open and empty.
        case holding(HeldMessage)
        /// The hold is written out before anything else (the input is not read meanwhile).
        case releasing(HeldMessage)
    }

    var holdPhase = HoldPhase.streaming
    /// Bytes of the lines written before a held message.
    var prependedByteCount = 0
    /// Why the message stopped being held before its verdict (over the maximum or the total, spill failed).
    var holdGivenUp: String?
    /// A line for the loop to log, once, about the hold (see ``takeHoldNotice()``).
    var holdNotice: String?
    /// The processor's output for the hold, before it is appended.
    var holdScratch: [UInt8] = []

    init(input: Int32, sink: Int32, maximumLineLength: Int) {
        self.input = input
        self.sink = sink
        self.processor = MessageDataProcessor(maximumLineLength: maximumLineLength)
    }

    deinit {
        if input >= 0 { close(input) }
        if sink >= 0 { close(sink) }
    }

    /// Whether the input reached its end.
    var inputClosed: Bool { input < 0 }
    /// Whether all output was written and the sink closed.
    var sinkClosed: Bool { sink < 0 }
    /// Whether output waits to be written (a hold being released included).
    var hasPendingOutput: Bool { written < pending.count || isReleasingHold }
    /// Whether reading should pause until the sink drains (or a released hold is written).
    var isBackpressured: Bool { pending.count - written >= Self.highWaterMark || isReleasingHold }
    /// Bytes produced for the sink: the prepended lines and the processor's output.
    var outputByteCount: Int { prependedByteCount + processor.outputByteCount }

    /// Reads what is available and runs the lines through `handler`. At end of input the
    /// input end is closed.
    func readInput(into scratch: inout [UInt8], handler: (DataLine) -> DataLineOutput) {
        let n = scratch.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            fail("read from data pipe: \(String(cString: strerror(errno)))")
            closeInput(handler: handler)
            return
        }
        if n == 0 {
            closeInput(handler: handler)
            return
        }
        if isHolding {
            scratch.withUnsafeBytes { buffer in
                processor.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &holdScratch, handler: handler)
            }
            keepHeldOutput()
        } else {
            scratch.withUnsafeBytes { buffer in
                processor.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &pending, handler: handler)
            }
        }
        if failure != nil { pending.removeAll(); written = 0 }
    }

    private func closeInput(handler: (DataLine) -> DataLineOutput) {
        if isHolding {
            processor.finish(into: &holdScratch, handler: handler)
            keepHeldOutput()
        } else {
            processor.finish(into: &pending, handler: handler)
        }
        if failure != nil { pending.removeAll(); written = 0 }
        close(input)
        input = -1
        closeSinkIfDone()
    }

    /// Writes buffered output without blocking (never raising SIGPIPE, on a socket or a
    /// pipe); closes the sink once input and output are done.
    func flushOutput() {
        while sink >= 0 && (written < pending.count || refillFromHold()) {
            let n = pending.withUnsafeBytes { buffer in
                copensmtpd_write_nosigpipe(sink, buffer.baseAddress! + written, pending.count - written, sinkIsSocket)
            }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                if errno == EINTR { continue }
                if errno == ENOTSOCK && sinkIsSocket == 1 { sinkIsSocket = 0; continue }
                fail("write to data sink: \(String(cString: strerror(errno)))")
                break
            }
            written += n
        }
        if written == pending.count {
            pending.removeAll(keepingCapacity: true)
            written = 0
        } else if written >= 65536 && written * 2 >= pending.count {
            // A sink that drains slowly but never quite catches up: keep only what is unsent.
            pending.removeFirst(written)
            written = 0
        }
        closeSinkIfDone()
    }

    func closeSinkIfDone() {
        if sink >= 0 && inputClosed && (failure != nil || (!hasPendingOutput && !isHolding)) {
            close(sink)
            sink = -1
        }
    }

    func fail(_ reason: String) {
        if failure == nil { failure = reason }
        pending.removeAll()
        written = 0
        discardHold()
    }

    /// Closes both ends at once (session gone), and frees a hold.
    func abort() {
        discardHold()
        if input >= 0 { close(input); input = -1 }
        if sink >= 0 { close(sink); sink = -1 }
    }
}
