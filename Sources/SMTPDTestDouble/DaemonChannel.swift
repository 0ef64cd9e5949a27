import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's end of an imsg channel to a filter: sends frames (with descriptors) and
/// reads the filter's frames, matching descriptors to flagged frames.
public final class DaemonChannel {
    /// The socket.
    public let descriptor: Int32
    private var inbox: [UInt8] = []
    private var inboxStart = 0
    private var descriptors: [Int32] = []
    private var closed = false

    /// Wraps the daemon's end of a socketpair; the channel closes it when released.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        if !closed { close(descriptor) }
        descriptors.forEach { close($0) }
    }

    /// Sends raw bytes, optionally with a descriptor attached (SCM_RIGHTS).
    public func sendBytes(_ bytes: [UInt8], attaching passed: Int32 = -1) throws {
        var offset = 0
        var attached = passed
        while offset < bytes.count || attached >= 0 {
            var n = bytes.withUnsafeBytes { copensmtpd_send(descriptor, $0.baseAddress! + offset, bytes.count - offset, attached) }
            if n < 0 && errno == ENOTSOCK && attached < 0 {
                // The line protocol over a pipe.
                n = bytes.withUnsafeBytes { copensmtpd_write_nosigpipe(descriptor, $0.baseAddress! + offset, bytes.count - offset, 0) }
            }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { waitWritable(); continue }
                throw DoubleError.system("sendmsg", errno)
            }
            attached = -1
            offset += n
        }
    }

    /// Sends `bytes` without waiting: true when sent, false when the filter's side is full
    /// (EAGAIN). Keep `bytes` to a few KiB, which a unix stream socket takes whole or not at
    /// all, so that frames and lines are never cut.
    public func sendWithoutBlocking(_ bytes: [UInt8]) throws -> Bool {
        while true {
            let n = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
            if n == bytes.count { return true }
            if n >= 0 { throw DoubleError.malformed("the socket took \(n) of \(bytes.count) bytes") }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return false }
            throw DoubleError.system("send", errno)
        }
    }

    /// Sends `bytes` again and again without reading anything until the filter has stopped
    /// reading (nothing could be sent for `quietMilliseconds`, or `maximumBytes` sent); returns
    /// how many times it was sent.
    public func sendUntilBlocked(_ bytes: [UInt8], quietMilliseconds: Int32 = 300, maximumBytes: Int = 1 << 30) throws -> Int {
        var count = 0
        while count * bytes.count < maximumBytes {
            if try sendWithoutBlocking(bytes) {
                count += 1
                continue
            }
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            if poll(&entry, 1, quietMilliseconds) == 0 { break }
        }
        return count
    }

    /// Sends one frame.
    public func send(type: UInt32, payload: [UInt8], attaching passed: Int32 = -1) throws {
        try sendBytes(Wire.frame(type: type, payload: payload, hasDescriptor: passed >= 0), attaching: passed)
    }

    private func waitWritable() {
        var fds = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)]
        _ = poll(&fds, 1, 100)
    }

    /// Closes the daemon's end of the channel (the daemon going away).
    public func closeChannel() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Stops reading the channel while still able to write it (`shutdown(SHUT_RD)`): the
    /// filter's next write fails with EPIPE (and would raise SIGPIPE without MSG_NOSIGNAL).
    public func stopReading() {
        shutdown(descriptor, Int32(SHUT_RD))
    }

    /// Closes the descriptor at once, with whatever the filter sent still unread: the
    /// filter's next read fails with ECONNRESET.
    public func closeAbruptly() {
        guard !closed else { return }
        closed = true
        close(descriptor)
    }

    // MARK: - Receiving

    /// Waits up to `timeout` seconds for the next frame from the filter.
    public func receiveFrame(timeout: Double = 5) throws -> ReceivedFrame {
        let deadline = FilterProcess.now() + timeout
        while true {
            if let frame = try extractFrame() { return frame }
            let remaining = deadline - FilterProcess.now()
            guard remaining > 0 else { throw DoubleError.timeout("a frame from the filter") }
            var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, Int32(remaining * 1000) + 1)
            if ready <= 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 65536)
            var received = [Int32](repeating: -1, count: 4)
            var count: Int32 = 0
            var truncated: Int32 = 0
            let n = buffer.withUnsafeMutableBytes { copensmtpd_recv(descriptor, $0.baseAddress, $0.count, &received, 4, &count, &truncated) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw DoubleError.system("recvmsg", errno)
            }
            descriptors += received[0..<Int(count)]
            if n == 0 { throw DoubleError.channelClosed }
            inbox += buffer[0..<n]
        }
    }

    /// Reads what the filter sent so far without waiting and returns every complete frame
    /// (none when nothing is there yet).
    ///
    /// - Throws: ``DoubleError/channelClosed`` at end of stream.
    public func receiveAvailable() throws -> [ReceivedFrame] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var received = [Int32](repeating: -1, count: 16)
        var count: Int32 = 0
        var truncated: Int32 = 0
        let n = buffer.withUnsafeMutableBytes { copensmtpd_recv(descriptor, $0.baseAddress, $0.count, &received, 16, &count, &truncated) }
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { return [] }
            throw DoubleError.system("recvmsg", errno)
        }
        descriptors += received[0..<Int(count)]
        if n == 0 { throw DoubleError.channelClosed }
        inbox += buffer[0..<n]
        var frames: [ReceivedFrame] = []
        while let frame = try extractFrame() { frames.append(frame) }
        return frames
    }

    /// Returns whether a frame arrives within `timeout` seconds (without consuming it, the
    /// frame stays queued for ``receiveFrame(timeout:)``).
    public func frameArrives(within timeout: Double) throws -> Bool {
        do {
            let frame = try receiveFrame(timeout: timeout)
            inbox = frame.bytes + inbox[inboxStart...]
            inboxStart = 0
            if let fd = frame.descriptor { descriptors.insert(fd, at: 0) }
            return true
        } catch DoubleError.timeout {
            return false
        }
    }

    private func extractFrame() throws -> ReceivedFrame? {
        let available = inbox.count - inboxStart
        guard available >= 16 else { return nil }
        let length = Int(inbox[inboxStart + 4]) | Int(inbox[inboxStart + 5]) << 8
        guard length >= 16 else { throw DoubleError.malformed("frame length \(length)") }
        guard available >= length else { return nil }
        let bytes = Array(inbox[inboxStart..<inboxStart + length])
        inboxStart += length
        if inboxStart == inbox.count || inboxStart >= 65536 {
            inbox.removeFirst(inboxStart)
            inboxStart = 0
        }
        var frame = ReceivedFrame(bytes: bytes, descriptor: nil)
        if frame.flags & 1 != 0 {
            guard !descriptors.isEmpty else { throw DoubleError.malformed("flagged frame without a descriptor") }
            frame.descriptor = descriptors.removeFirst()
        }
        return frame
    }

}

extension DaemonChannel {
    /// A connected pair: the daemon's channel and the filter's end (non-blocking, as smtpd
    /// hands it over), for running a filter inside the test process.
    public static func pair() throws -> (channel: DaemonChannel, filterEnd: Int32) {
        var fds: [Int32] = [-1, -1]
        guard copensmtpd_socketpair(&fds) == 0 else { throw DoubleError.system("socketpair", errno) }
        _ = copensmtpd_set_nonblocking(fds[0], 1)
        _ = copensmtpd_set_nonblocking(fds[1], 1)
        return (DaemonChannel(descriptor: fds[0]), fds[1])
    }
}
