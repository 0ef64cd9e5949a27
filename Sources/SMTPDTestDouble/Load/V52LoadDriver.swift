import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// Many sessions at once through a filter on filter API 52, the way smtpd interleaves
/// them: each session connects, greets, and sends its messages (MAIL, RCPT, DATA, the data
/// pipe, EOM, TX_COMMIT) then disconnects, all sessions progressing independently on one
/// thread with non-blocking I/O, so the filter sees queries of many sessions between the
/// bytes of many messages.
///
/// Every answer is checked as smtpd would: one per query, of the query's type, accepting
/// (the filter's rules must not match the content); the message must come back byte for
/// byte and the EOM answer must carry its length.
public final class V52LoadDriver {
    /// What a run did.
    public struct Report: Sendable, CustomStringConvertible {
        /// Queries answered.
        public var queries = 0
        /// Messages through the data pipe.
        public var messages = 0
        /// Message bytes through the data pipe.
        public var bytes = 0
        /// Most data pipes open at once.
        public var peakDataPhases = 0

        /// `N queries, N messages, N bytes, N pipes at once`.
        public var description: String {
            "\(queries) queries, \(messages) messages, \(bytes) bytes, at most \(peakDataPhases) data pipes at once"
        }
    }

    private enum Step { case connect, helo, mail, rcpt, data, pipe, transfer, done }

    private final class LoadSession {
        let id: UInt64
        var messages: [[UInt8]]
        var step = Step.connect
        var input: Int32 = -1
        var sink: Int32 = -1
        var written = 0
        var output: [UInt8] = []
        var sinkEOF = false
        var eom: ParsedResponse?

        init(id: UInt64, messages: [[UInt8]]) {
            self.id = id
            self.messages = messages
        }
    }

    private let channel: DaemonChannel
    private var smtpd: SMTPDDouble
    private let sessions: [LoadSession]
    private let maximumDataPhases: Int
    /// Frames to send, and the descriptors to attach, each with the end of its frame.
    private var outgoing: [UInt8] = []
    private var sent = 0
    private var attachments: [(end: Int, descriptor: Int32)] = []
    private var queries: [UInt64: (session: LoadSession, query: Wire.Query)] = [:]
    private var pipes: [UInt64: LoadSession] = [:]
    private var transfers: [UInt64: LoadSession] = [:]
    private var waitingForPipe: [LoadSession] = []
    private var finished = 0
    private var report = Report()

    /// Drives `smtpd`'s filter (registered) with one session per element of `messages`,
    /// each sending its messages in order; at most `maximumDataPhases` data pipes are open
    /// at once (each costs the filter two descriptors and the driver two).
    public init(smtpd: SMTPDDouble, messages: [[[UInt8]]], firstSession: UInt64 = 0x10_0000, maximumDataPhases: Int = 1000) {
        self.smtpd = smtpd
        self.channel = smtpd.process
        self.sessions = messages.enumerated().map { LoadSession(id: firstSession + UInt64($0.offset), messages: $0.element) }
        self.maximumDataPhases = maximumDataPhases
    }

    deinit {
        for session in sessions {
            if session.input >= 0 { close(session.input) }
            if session.sink >= 0 { close(session.sink) }
        }
        for entry in attachments { close(entry.descriptor) }
    }

    /// Runs every session to its end; throws on the first wrong answer or after `timeout` seconds.
    public func run(timeout: Double) throws -> Report {
        let deadline = FilterProcess.now() + timeout
        for session in sessions {
            queue(Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: session.id, event: .connect)))
            ask(.connect, session, SMTPDDouble.connectExtra(hostname: "load.example"))
        }
        var fds: [pollfd] = []
        var owners: [(session: LoadSession, isInput: Bool)] = []
        while finished < sessions.count {
            guard FilterProcess.now() < deadline else {
                throw DoubleError.timeout("the load run: \(finished) of \(sessions.count) sessions done, \(report)")
            }
            try flush()
            fds.removeAll(keepingCapacity: true)
            owners.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: channel.descriptor, events: Int16(POLLIN) | (sent < outgoing.count ? Int16(POLLOUT) : 0), revents: 0))
            for session in transfers.values {
                if session.input >= 0 {
                    fds.append(pollfd(fd: session.input, events: Int16(POLLOUT), revents: 0))
                    owners.append((session, true))
                }
                if !session.sinkEOF {
                    fds.append(pollfd(fd: session.sink, events: Int16(POLLIN), revents: 0))
                    owners.append((session, false))
                }
            }
            guard poll(&fds, nfds_t(fds.count), 100) > 0 else { continue }
            for (index, owner) in owners.enumerated() where fds[index + 1].revents != 0 {
                if owner.isInput { try write(owner.session) } else { try drain(owner.session) }
            }
            if fds[0].revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
                for frame in try channel.receiveAvailable() { try receive(frame) }
            }
        }
        if try channel.frameArrives(within: 0.2) {
            throw DoubleError.malformed("a frame after every query was answered")
        }
        return report
    }

    // MARK: - Sending

    private func queue(_ bytes: [UInt8], attaching descriptor: Int32 = -1) {
        outgoing += bytes
        if descriptor >= 0 { attachments.append((outgoing.count, descriptor)) }
    }

    private func ask(_ query: Wire.Query, _ session: LoadSession, _ extra: [UInt8] = []) {
        let qid = smtpd.makeQueryID()
        queries[qid] = (session, query)
        queue(Wire.frame(type: Wire.query, payload: Wire.queryPayload(session: session.id, queryID: qid, query: query, extra: extra)))
    }

    /// Sends what the socket takes; a descriptor goes with the bytes up to its frame's end
    /// (the filter queues descriptors as they arrive, as imsg does).
    private func flush() throws {
        while sent < outgoing.count {
            let attachment = attachments.first
            let end = attachment?.end ?? outgoing.count
            let n = outgoing.withUnsafeBytes { buffer in
                copensmtpd_send(channel.descriptor, buffer.baseAddress! + sent, end - sent, attachment?.descriptor ?? -1)
            }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { return }
                throw DoubleError.system("sendmsg", errno)
            }
            if let attachment {
                close(attachment.descriptor)
                attachments.removeFirst()
            }
            sent += n
        }
        outgoing.removeAll(keepingCapacity: true)
        sent = 0
    }

    // MARK: - Answers

    private func receive(_ frame: ReceivedFrame) throws {
        if frame.type == Wire.pipe {
            let id = ReceivedFrame.u64(frame.payload, 0)
            guard let session = pipes.removeValue(forKey: id), let input = frame.descriptor else {
                throw DoubleError.malformed("a PIPE answer for session \(id) that asked for none")
            }
            _ = copensmtpd_set_nonblocking(input, 1)
            session.input = input
            session.step = .transfer
            transfers[session.id] = session
            try write(session)
            return
        }
        guard let response = ParsedResponse(frame) else { throw DoubleError.malformed("frame of type \(frame.type)") }
        guard let (session, query) = queries.removeValue(forKey: response.queryID) else {
            throw DoubleError.malformed("an answer to no pending query: \(response)")
        }
        guard response.type == query.rawValue, response.status == 0 else {
            throw DoubleError.malformed("session \(session.id) \(query): \(response)")
        }
        report.queries += 1
        switch query {
        case .connect: ask(.helo, session, SMTPDDouble.heloExtra("load.example"))
        case .helo: startMessage(session)
        case .mail: ask(.rcpt, session, SMTPDDouble.mailaddrExtra(user: "rcpt", domain: "example.org"))
        case .rcpt: ask(.data, session)
        case .data: openPipe(session)
        case .eom:
            session.eom = response
            try finishMessageIfDone(session)
        }
    }

    private func startMessage(_ session: LoadSession) {
        if session.messages.isEmpty {
            queue(Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: session.id, event: .disconnect)))
            session.step = .done
            finished += 1
            return
        }
        session.step = .mail
        queue(Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: session.id, event: .txBegin)))
        ask(.mail, session, SMTPDDouble.mailaddrExtra(user: "load", domain: "example.net"))
    }

    private func openPipe(_ session: LoadSession) {
        guard pipes.count + transfers.count < maximumDataPhases else {
            waitingForPipe.append(session)
            return
        }
        var pair: [Int32] = [-1, -1]
        guard copensmtpd_socketpair(&pair) == 0 else {
            waitingForPipe.append(session)
            return
        }
        _ = copensmtpd_set_nonblocking(pair[0], 1)
        _ = copensmtpd_set_nonblocking(pair[1], 1)
        session.sink = pair[0]
        session.step = .pipe
        session.written = 0
        session.output.removeAll(keepingCapacity: true)
        session.sinkEOF = false
        session.eom = nil
        pipes[session.id] = session
        report.peakDataPhases = max(report.peakDataPhases, pipes.count + transfers.count)
        var writer = WireWriter()
        writer.u64(session.id)
        queue(Wire.frame(type: Wire.pipe, payload: writer.bytes, hasDescriptor: true), attaching: pair[1])
    }

    // MARK: - Message data

    private func write(_ session: LoadSession) throws {
        let message = session.messages[0]
        while session.written < message.count {
            let n = message.withUnsafeBytes { buffer in
                send(session.input, buffer.baseAddress! + session.written, min(buffer.count - session.written, 1 << 18), Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { return }
                throw DoubleError.system("write message", errno)
            }
            session.written += n
        }
        // As smtpd: close the input at the final dot and send EOM at once.
        close(session.input)
        session.input = -1
        ask(.eom, session, SMTPDDouble.eomExtra(UInt32(message.count)))
    }

    private func drain(_ session: LoadSession) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(session.sink, &buffer, buffer.count)
            if n > 0 { session.output += buffer[0..<n]; continue }
            if n == 0 { session.sinkEOF = true; break }
            if errno == EAGAIN || errno == EINTR { return }
            throw DoubleError.system("read sink", errno)
        }
        try finishMessageIfDone(session)
    }

    private func finishMessageIfDone(_ session: LoadSession) throws {
        guard session.sinkEOF, let eom = session.eom else { return }
        let message = session.messages.removeFirst()
        guard session.output == message else {
            throw DoubleError.malformed("session \(session.id): \(session.output.count) bytes came back for \(message.count), or changed")
        }
        guard eom.dataLength == UInt32(message.count) else {
            throw DoubleError.malformed("session \(session.id): EOM answer carries \(eom.dataLength.map(String.init) ?? "no") bytes, expected \(message.count)")
        }
        close(session.sink)
        session.sink = -1
        transfers[session.id] = nil
        report.messages += 1
        report.bytes += message.count
        queue(Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: session.id, event: .txCommit)))
        startMessage(session)
        if !waitingForPipe.isEmpty { openPipe(waitingForPipe.removeFirst()) }
    }
}
