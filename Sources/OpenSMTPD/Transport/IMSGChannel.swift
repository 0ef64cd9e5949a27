import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// A non-blocking imsg connection over a stream socket: reads frames with their
/// descriptors, queues frames for writing and sends each descriptor with its frame.
///
/// Writes never raise SIGPIPE (MSG_NOSIGNAL). A daemon that no longer reads (EPIPE or
/// ECONNRESET on a write) has closed the channel: the queued output is dropped and
/// ``peerStoppedReading`` says why; a reset on a read (ECONNRESET) reads as the end of stream.
final class IMSGChannel {
    /// Unsent output beyond which the event loop stops reading the daemon (back-pressure):
    /// a daemon that sends queries without reading the answers cannot grow the filter's memory.
    static let highWaterMark = 1 << 20

    /// The socket.
    let descriptor: Int32
    private var decoder = IMSGFrameDecoder()
    private var readBuffer = [UInt8](repeating: 0, count: 65536)
    private var output: [UInt8] = []
    private var written = 0
    /// Descriptors to send, each with the end offset of its frame in `output`.
    private var outgoingDescriptors: [(end: Int, descriptor: Int32)] = []
    private let pid: UInt32
    /// Set when a write found that the daemon no longer reads.
    private(set) var peerStoppedReading: StoppedReading?

    init(descriptor: Int32) {
        self.descriptor = descriptor
        self.pid = UInt32(truncatingIfNeeded: getpid())
    }

    deinit {
        for fd in decoder.takePendingDescriptors() { close(fd) }
        for entry in outgoingDescriptors { close(entry.descriptor) }
    }

    /// Whether frames are waiting to be written.
    var hasPendingOutput: Bool { written < output.count }

    /// Bytes queued and not yet written.
    var unsentByteCount: Int { output.count - written }

    /// Whether so much output is unsent that reading should pause until it drains.
    var isBackpressured: Bool { unsentByteCount >= Self.highWaterMark }

    /// Reads what is available. Returns false at end of stream.
    ///
    /// - Throws: ``ProtocolError/truncatedFrame(bufferedBytes:)`` when the stream ends inside
    ///   a frame, ``TransportError`` when the read fails.
    func readAvailable() throws -> Bool {
        var fds = [Int32](repeating: -1, count: 8)
        var count: Int32 = 0
        var truncated: Int32 = 0
        let n = readBuffer.withUnsafeMutableBytes { buffer in
            copensmtpd_recv(descriptor, buffer.baseAddress, buffer.count, &fds, Int32(fds.count), &count, &truncated)
        }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return true }
            // The daemon closed its end with our output unread: the end of the stream.
            if errno == ECONNRESET { return false }
            throw TransportError.system("recvmsg", errno)
        }
        for index in 0..<Int(count) { decoder.appendDescriptor(fds[index]) }
        if truncated != 0 { throw ProtocolError.descriptorsTruncated }
        if n == 0 {
            if decoder.bufferedByteCount > 0 { throw ProtocolError.truncatedFrame(bufferedBytes: decoder.bufferedByteCount) }
            return false
        }
        decoder.append(readBuffer[0..<n])
        return true
    }

    /// The next complete frame received, if any.
    func nextFrame() throws(ProtocolError) -> IMSGFrame? {
        try decoder.nextFrame()
    }

    /// Queues a frame; its descriptor, if any, is closed here once sent (or dropped).
    func enqueue(_ frame: IMSGFrame) throws(ProtocolError) {
        if peerStoppedReading != nil {
            if let fd = frame.descriptor { close(fd) }
            return
        }
        var frame = frame
        frame.pid = pid
        let bytes = try frame.encoded()
        if written == output.count {
            output.removeAll(keepingCapacity: true)
            written = 0
        }
        output.append(contentsOf: bytes)
        if let fd = frame.descriptor {
            outgoingDescriptors.append((output.count, fd))
        }
    }

    /// Writes as much as the socket takes without blocking.
    func flush() throws(TransportError) {
        defer { compact() }
        while written < output.count {
            var attached: Int32 = -1
            var end = output.count
            if let first = outgoingDescriptors.first {
                attached = first.descriptor
                end = first.end
            }
            let n = output.withUnsafeBytes { buffer in
                copensmtpd_send(descriptor, buffer.baseAddress! + written, end - written, attached)
            }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET {
                    peerStoppedReading = StoppedReading(
                        reason: "sendmsg: \(String(cString: strerror(errno)))",
                        unsentBytes: output.count - written)
                    dropOutput()
                    return
                }
                throw .system("sendmsg", errno)
            }
            if attached >= 0 {
                outgoingDescriptors.removeFirst()
                close(attached)
            }
            written += n
        }
        output.removeAll(keepingCapacity: true)
        written = 0
        outgoingDescriptors.removeAll()
    }

    /// Drops the written head of the output once it is large, so a daemon that reads slowly
    /// but never quite catches up does not keep every byte ever sent.
    private func compact() {
        guard written >= 65536, written * 2 >= output.count else { return }
        output.removeFirst(written)
        for index in outgoingDescriptors.indices { outgoingDescriptors[index].end -= written }
        written = 0
    }

    /// Discards the queued output and closes the descriptors that were to go with it.
    private func dropOutput() {
        for entry in outgoingDescriptors { close(entry.descriptor) }
        outgoingDescriptors.removeAll()
        output.removeAll()
        written = 0
    }
}
