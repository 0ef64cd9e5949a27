import COpenSMTPDShims
#if canImport(Glibc)
import Glibc
#endif

/// One session's message-data pipe: the input end the filter reads, the sink it writes,
/// and the buffered bytes between them.
final class DataPipeConnection {
    /// Output buffered beyond this pauses reading the input (flow control).
    static let highWaterMark = 1 << 20

    /// The end of the filter's own socketpair it reads the message from.
    private(set) var input: Int32
    /// The descriptor the daemon handed over; output goes there.
    private(set) var sink: Int32
    /// Line splitting and counting.
    var processor: MessageDataProcessor
    private var pending: [UInt8] = []
    private var written = 0
    /// 1 while the sink is taken for a socket (smtpd passes one), 0 once a send said it is not.
    private var sinkIsSocket: Int32 = 1
    /// Set when the sink failed; output is discarded and the EOM answer is a failure.
    private(set) var failure: String?

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
    /// Whether output waits to be written.
    var hasPendingOutput: Bool { written < pending.count }
    /// Whether reading should pause until the sink drains.
    var isBackpressured: Bool { pending.count - written >= Self.highWaterMark }

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
        scratch.withUnsafeBytes { buffer in
            processor.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), into: &pending, handler: handler)
        }
        if failure != nil { pending.removeAll(); written = 0 }
    }

    private func closeInput(handler: (DataLine) -> DataLineOutput) {
        processor.finish(into: &pending, handler: handler)
        if failure != nil { pending.removeAll(); written = 0 }
        close(input)
        input = -1
        closeSinkIfDone()
    }

    /// Writes buffered output without blocking (never raising SIGPIPE, on a socket or a
    /// pipe); closes the sink once input and output are done.
    func flushOutput() {
        while written < pending.count && sink >= 0 {
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

    private func closeSinkIfDone() {
        if sink >= 0 && inputClosed && (failure != nil || !hasPendingOutput) {
            close(sink)
            sink = -1
        }
    }

    private func fail(_ reason: String) {
        if failure == nil { failure = reason }
        pending.removeAll()
        written = 0
    }

    /// Closes both ends at once (session gone).
    func abort() {
        if input >= 0 { close(input); input = -1 }
        if sink >= 0 { close(sink); sink = -1 }
    }
}
