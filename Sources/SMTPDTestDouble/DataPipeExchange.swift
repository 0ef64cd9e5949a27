import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// When the double sends QUERY_EOM relative to closing the message input.
public enum EOMTiming: Sendable {
    /// As the real smtpd does (smtp_data_io_done): close the input at the final dot and send
    /// QUERY_EOM at once, without waiting for the filter's output to reach end of file.
    case smtpdOrder
    /// After writing the message but before closing the input (the filter must wait for EOF).
    case beforeInputEOF
    /// After the input was closed and the filter's whole output was read.
    case afterInputEOF
}

/// The outcome of pushing one message through a filter's data pipe.
public struct DataPipeResult: Sendable {
    /// What the filter wrote to its sink.
    public var output: [UInt8]
    /// The filter's EOM response.
    public var response: ParsedResponse
    /// The EOM response frame as received.
    public var frame: ReceivedFrame
    /// Whether a response arrived before the input was closed (it must not, when OK).
    public var answeredBeforeInputEOF: Bool
}

extension SMTPDDouble {
    /// Runs the data phase as smtpd does after DATA was accepted: sends IMSG_FILTER_PIPE with
    /// a sink, takes the filter's input descriptor from its PIPE answer, writes `message`
    /// into it (as the SMTP session would), reads the sink to EOF, and sends QUERY_EOM with
    /// the number of bytes written.
    public func pushMessage(_ message: [UInt8], session: UInt64, timing: EOMTiming = .smtpdOrder, timeout: Double = 10) throws -> DataPipeResult {
        var pair: [Int32] = [-1, -1]
        guard copensmtpd_socketpair(&pair) == 0 else { throw DoubleError.system("socketpair", errno) }
        let daemonEnd = pair[0]
        defer { close(daemonEnd) }
        _ = copensmtpd_set_nonblocking(daemonEnd, 1)
        _ = copensmtpd_set_nonblocking(pair[1], 1)

        var writer = WireWriter()
        writer.u64(session)
        try process.send(type: Wire.pipe, payload: writer.bytes, attaching: pair[1])
        close(pair[1])

        let answer = try process.receiveFrame(timeout: timeout)
        guard answer.type == Wire.pipe, answer.payload == writer.bytes, let input = answer.descriptor else {
            throw DoubleError.malformed("expected a PIPE answer with a descriptor for the session, got type \(answer.type)")
        }
        _ = copensmtpd_set_nonblocking(input, 1)
        var inputOpen = true
        defer { if inputOpen { close(input) } }

        var output: [UInt8] = []
        var written = 0
        var sinkEOF = false
        let deadline = FilterProcess.now() + timeout
        // Write the message while draining the sink, so large messages cannot deadlock.
        while written < message.count || (timing == .afterInputEOF && !sinkEOF) {
            guard FilterProcess.now() < deadline else { throw DoubleError.timeout("the data pipe") }
            if written == message.count && inputOpen && timing == .afterInputEOF {
                close(input)
                inputOpen = false
            }
            var fds = [pollfd(fd: daemonEnd, events: Int16(POLLIN), revents: 0)]
            if written < message.count { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), 50)
            if written < message.count && fds.count > 1 && fds[1].revents != 0 {
                let n = message.withUnsafeBytes { Glibc.send(input, $0.baseAddress! + written, message.count - written, Int32(MSG_NOSIGNAL)) }
                if n > 0 { written += n }
            }
            if fds[0].revents != 0 { sinkEOF = try Self.drain(daemonEnd, into: &output) }
        }

        let qid = makeQueryID()
        var answeredEarly = false
        if timing == .beforeInputEOF {
            try sendQuery(.eom, session: session, extra: Self.eomExtra(UInt32(message.count)), queryID: qid)
            // The filter has not seen EOF yet: it must hold its answer.
            answeredEarly = try process.frameArrives(within: 0.2)
            close(input)
            inputOpen = false
            while !sinkEOF {
                guard FilterProcess.now() < deadline else { throw DoubleError.timeout("the sink's end of file") }
                var fds = [pollfd(fd: daemonEnd, events: Int16(POLLIN), revents: 0)]
                _ = poll(&fds, 1, 50)
                if fds[0].revents != 0 { sinkEOF = try Self.drain(daemonEnd, into: &output) }
            }
        } else if timing == .smtpdOrder {
            close(input)
            inputOpen = false
            try sendQuery(.eom, session: session, extra: Self.eomExtra(UInt32(message.count)), queryID: qid)
            while !sinkEOF {
                guard FilterProcess.now() < deadline else { throw DoubleError.timeout("the sink's end of file") }
                var fds = [pollfd(fd: daemonEnd, events: Int16(POLLIN), revents: 0)]
                _ = poll(&fds, 1, 50)
                if fds[0].revents != 0 { sinkEOF = try Self.drain(daemonEnd, into: &output) }
            }
        } else {
            try sendQuery(.eom, session: session, extra: Self.eomExtra(UInt32(message.count)), queryID: qid)
        }
        let (frame, response) = try expectResponse(to: qid, .eom, timeout: timeout)
        return DataPipeResult(output: output, response: response, frame: frame, answeredBeforeInputEOF: answeredEarly)
    }

    /// Reads what is available; returns true at end of file.
    private static func drain(_ fd: Int32, into output: inout [UInt8]) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { output += buffer[0..<n]; continue }
            if n == 0 { return true }
            if errno == EAGAIN || errno == EINTR { return false }
            throw DoubleError.system("read sink", errno)
        }
    }
}

/// A message's data pipe while the daemon writes the message: the filter's input (write the
/// message there) and the daemon's end of the sink (the filter's output arrives there). The
/// caller closes both.
public struct OpenDataPipe: Sendable {
    /// The filter's input end, non-blocking.
    public let input: Int32
    /// The daemon's end of the sink, non-blocking.
    public let sink: Int32
}

extension SMTPDDouble {
    /// Sends IMSG_FILTER_PIPE for `session` with a fresh sink and returns the pipe once the
    /// filter answered with its input end, for tests that write the message themselves.
    public func openDataPipe(session: UInt64, timeout: Double = 5) throws -> OpenDataPipe {
        var pair: [Int32] = [-1, -1]
        guard copensmtpd_socketpair(&pair) == 0 else { throw DoubleError.system("socketpair", errno) }
        _ = copensmtpd_set_nonblocking(pair[0], 1)
        _ = copensmtpd_set_nonblocking(pair[1], 1)
        var writer = WireWriter()
        writer.u64(session)
        do {
            try process.send(type: Wire.pipe, payload: writer.bytes, attaching: pair[1])
        } catch {
            close(pair[0])
            close(pair[1])
            throw error
        }
        close(pair[1])
        let answer = try process.receiveFrame(timeout: timeout)
        guard answer.type == Wire.pipe, answer.payload == writer.bytes, let input = answer.descriptor else {
            close(pair[0])
            throw DoubleError.malformed("expected a PIPE answer with a descriptor for the session, got type \(answer.type)")
        }
        _ = copensmtpd_set_nonblocking(input, 1)
        return OpenDataPipe(input: input, sink: pair[0])
    }
}
