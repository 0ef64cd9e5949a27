import COpenSMTPDShims
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The single-threaded engine behind ``Filter``: polls the daemon's channel, the data
/// pipes and the answer outbox, dispatches messages to the callbacks and guarantees one
/// response per query.
final class FilterEventLoop {
    private unowned let filter: Filter
    private let channel: IMSGChannel
    private let outbox: AnswerOutbox
    private var sessions: [UInt64: SessionRecord] = [:]
    private var deferred: [UInt64: (session: Session, queryID: UInt64, deadline: ContinuousClock.Instant)] = [:]
    private var registered = false
    private var finished = false
    private var scratch = [UInt8](repeating: 0, count: 65536)
    private var logger: Logger { filter.logger }

    /// Per-session state the loop keeps beside the public ``Session``.
    private final class SessionRecord {
        let session: Session
        var pipe: DataPipeConnection?
        /// The EOM query being processed: its id and the daemon's byte count.
        var eom: (queryID: UInt64, dataLength: UInt32)?
        var eomCallbackRun = false
        /// The filter's EOM answer, held until the output is complete.
        var heldEOMAnswer: Answer?

        init(session: Session) { self.session = session }
    }

    init(filter: Filter, descriptor: Int32) throws {
        self.filter = filter
        self.channel = IMSGChannel(descriptor: descriptor)
        self.outbox = try AnswerOutbox()
        signal(SIGPIPE, SIG_IGN)
        // smtpd hands filters a non-blocking fd 0; make sure of it either way.
        guard copensmtpd_set_nonblocking(descriptor, 1) == 0 else {
            throw TransportError.system("fcntl(O_NONBLOCK) on fd \(descriptor)", errno)
        }
    }

    func register() throws {
        try run(until: { $0.registered })
    }

    func serve() throws {
        try run(until: { $0.finished })
        for record in sessions.values { record.pipe?.abort() }
        sessions.removeAll()
    }

    // MARK: - The loop

    private func run(until done: (FilterEventLoop) -> Bool) throws {
        outbox.adoptCurrentThreadAsLoop()
        while !done(self) {
            expireDeferredAnswers()
            try processAnswers()
            try channel.flush()
            if done(self) { break }

            var fds: [pollfd] = [
                pollfd(fd: channel.descriptor, events: Int16(POLLIN) | (channel.hasPendingOutput ? Int16(POLLOUT) : 0), revents: 0),
                pollfd(fd: outbox.pollDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            var owners: [(session: UInt64, isInput: Bool)] = []
            for (id, record) in sessions {
                guard let pipe = record.pipe else { continue }
                if !pipe.inputClosed && !pipe.isBackpressured {
                    fds.append(pollfd(fd: pipe.input, events: Int16(POLLIN), revents: 0))
                    owners.append((id, true))
                }
                if !pipe.sinkClosed && pipe.hasPendingOutput {
                    fds.append(pollfd(fd: pipe.sink, events: Int16(POLLOUT), revents: 0))
                    owners.append((id, false))
                }
            }
            let ready = poll(&fds, nfds_t(fds.count), pollTimeout())
            if ready < 0 {
                if errno == EINTR { continue }
                throw TransportError.system("poll", errno)
            }
            if ready == 0 { continue }

            for (index, owner) in owners.enumerated() where fds[index + 2].revents != 0 {
                guard let record = sessions[owner.session], let pipe = record.pipe else { continue }
                if owner.isInput {
                    readPipe(pipe, of: record)
                } else {
                    pipe.flushOutput()
                }
                pipeProgressed(record)
            }
            let channelEvents = fds[0].revents
            if channelEvents & Int16(POLLNVAL) != 0 {
                throw TransportError.badDescriptor(channel.descriptor)
            }
            if channelEvents & Int16(POLLOUT) != 0 {
                try channel.flush()
            }
            if channelEvents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
                if try !channel.readAvailable() {
                    logger.debug("daemon closed the channel")
                    finished = true
                    return
                }
                while let frame = try channel.nextFrame() {
                    try dispatch(try DaemonFilterMessage(frame: frame))
                    try processAnswers()
                }
            }
        }
    }

    private func pollTimeout() -> Int32 {
        guard let next = deferred.values.map(\.deadline).min() else { return -1 }
        let remaining = ContinuousClock.now.duration(to: next)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }

    // MARK: - Dispatch

    private func dispatch(_ message: DaemonFilterMessage) throws {
        switch message {
        case let .register(version, name):
            guard !registered else { throw ProtocolError.unexpectedMessage("a second IMSG_FILTER_REGISTER") }
            guard version == FilterVersion else {
                throw ProtocolError.versionMismatch(expected: FilterVersion, received: version)
            }
            filter.version = version
            filter.name = name
            try channel.enqueue(FilterReply.register(hooks: filter.hooks, flags: filter.flags).frame())
            registered = true
            logger.debug("registered as \"\(name)\" with hooks 0x\(String(filter.hooks.rawValue, radix: 16))")
        case let .event(id, event):
            try requireRegistration()
            handle(event: event, session: id)
        case let .query(id, queryID, query):
            try requireRegistration()
            handle(query: query, queryID: queryID, session: id)
        case let .pipe(id, sink):
            guard registered else {
                close(sink)
                throw ProtocolError.unexpectedMessage("IMSG_FILTER_PIPE before registration")
            }
            try openPipe(session: id, sink: sink)
        }
    }

    private func requireRegistration() throws {
        if !registered { throw ProtocolError.unexpectedMessage("a filter message before IMSG_FILTER_REGISTER") }
    }

    private func record(for id: UInt64) -> SessionRecord {
        if let record = sessions[id] { return record }
        let record = SessionRecord(session: Session(id: id, outbox: outbox, logger: logger))
        sessions[id] = record
        return record
    }

    private func handle(event: FilterEvent, session id: UInt64) {
        let record = record(for: id)
        let callback: ((Session) throws -> Void)?
        switch event {
        case .connect: callback = nil
        case .reset: callback = filter.onReset
        case .disconnect: callback = filter.onDisconnect
        case .txBegin: callback = filter.onTransactionBegin
        case .txCommit: callback = filter.onCommit
        case .txRollback: callback = filter.onRollback
        }
        if let callback {
            do { try callback(record.session) } catch {
                logger.error("\(event) callback failed: \(error)", metadata: ["session": "\(record.session)"])
            }
        }
        if event == .disconnect {
            record.pipe?.abort()
            sessions[id] = nil
        }
    }

    private func handle(query: FilterQuery, queryID: UInt64, session id: UInt64) {
        let record = record(for: id)
        let session = record.session
        var dataLength: UInt32 = 0
        if case let .eom(length) = query { dataLength = length }
        if let previous = session.begin(queryID: queryID, type: query.type, daemonDataLength: dataLength) {
            logger.error("\(query.type) arrived while \(previous.type) is unanswered", metadata: ["session": "\(session)"])
            send(Answer(session: id, queryID: previous.queryID, type: previous.type, status: filter.fallback.status,
                        code: filter.fallback.code, line: filter.fallback.line, daemonDataLength: 0))
        }
        switch query {
        case let .connect(connect):
            invoke(filter.onConnect.map { callback in { try callback(session, connect) } }, session: session, queryID: queryID, type: query.type)
        case let .helo(name):
            invoke(filter.onHELO.map { callback in { try callback(session, name) } }, session: session, queryID: queryID, type: query.type)
        case let .mail(address):
            invoke(filter.onMAIL.map { callback in { try callback(session, address.user, address.domain) } }, session: session, queryID: queryID, type: query.type)
        case let .rcpt(address):
            invoke(filter.onRCPT.map { callback in { try callback(session, address.user, address.domain) } }, session: session, queryID: queryID, type: query.type)
        case .data:
            invoke(filter.onDATA.map { callback in { try callback(session) } }, session: session, queryID: queryID, type: query.type)
        case let .eom(length):
            record.eom = (queryID, length)
            record.eomCallbackRun = false
            record.heldEOMAnswer = nil
            runEOMIfReady(record)
        }
    }

    /// Runs a query callback (or accepts when there is none) and makes sure an answer exists.
    private func invoke(_ body: (() throws -> Void)?, session: Session, queryID: UInt64, type: QueryType) {
        guard let body else {
            session.accept()
            return
        }
        do {
            try body()
        } catch {
            session.answerWithFallback(filter.fallback, queryID: queryID, reason: "callback failed: \(error)")
            return
        }
        if session.needsFallback(queryID: queryID) {
            session.answerWithFallback(filter.fallback, queryID: queryID, reason: "callback returned without answering")
        } else if session.isUnanswered(queryID: queryID) {
            deferred[session.id] = (session, queryID, .now + filter.deferredAnswerTimeout)
        }
    }

    private func expireDeferredAnswers() {
        guard !deferred.isEmpty else { return }
        let now = ContinuousClock.now
        for (id, entry) in deferred where entry.deadline <= now || !entry.session.isUnanswered(queryID: entry.queryID) {
            deferred[id] = nil
            entry.session.answerWithFallback(filter.fallback, queryID: entry.queryID, reason: "deferred answer timed out")
        }
    }

    // MARK: - Message data

    private func openPipe(session id: UInt64, sink: Int32) throws {
        let record = record(for: id)
        var pair: [Int32] = [-1, -1]
        guard copensmtpd_socketpair(&pair) == 0 else {
            let code = errno
            close(sink)
            throw TransportError.system("socketpair", code)
        }
        _ = copensmtpd_set_nonblocking(pair[0], 1)
        _ = copensmtpd_set_nonblocking(sink, 1)
        record.pipe?.abort()
        record.pipe = DataPipeConnection(input: pair[0], sink: sink, maximumLineLength: filter.maximumLineLength)
        // The daemon takes pair[1] as the previous filter's (or the SMTP session's) sink.
        try channel.enqueue(FilterReply.pipe(session: id, input: pair[1]).frame())
    }

    private func readPipe(_ pipe: DataPipeConnection, of record: SessionRecord) {
        let session = record.session
        let callback = filter.onDataLine
        let logger = self.logger
        pipe.readInput(into: &scratch) { line in
            guard let callback else { return .unchanged }
            do {
                return try callback(session, line)
            } catch {
                logger.error("data-line callback failed, line passed unchanged: \(error)", metadata: ["session": "\(session)"])
                return .unchanged
            }
        }
        pipe.flushOutput()
    }

    private func pipeProgressed(_ record: SessionRecord) {
        if record.pipe?.inputClosed == true { runEOMIfReady(record) }
        if record.pipe?.sinkClosed == true { sendHeldEOMAnswer(record) }
    }

    /// Runs the EOM callback once the EOM query has arrived and the input is complete.
    private func runEOMIfReady(_ record: SessionRecord) {
        guard let eom = record.eom, !record.eomCallbackRun else { return }
        if let pipe = record.pipe, !pipe.inputClosed { return }
        record.eomCallbackRun = true
        let session = record.session
        if let pipe = record.pipe {
            if let failure = pipe.failure {
                session.answerWithFallback(filter.fallback, queryID: eom.queryID, reason: failure)
                return
            }
            if pipe.processor.inputByteCount != Int(eom.dataLength) {
                session.answerWithFallback(filter.fallback, queryID: eom.queryID,
                    reason: "data length mismatch: read \(pipe.processor.inputByteCount) bytes, daemon wrote \(eom.dataLength)")
                return
            }
            if pipe.processor.overlongLineCount > 0 {
                logger.warning("\(pipe.processor.overlongLineCount) line(s) over \(filter.maximumLineLength) bytes passed through unfiltered",
                               metadata: ["session": "\(session)"])
            }
        }
        invoke(filter.onEOM.map { callback in { try callback(session, eom.dataLength) } }, session: session, queryID: eom.queryID, type: .eom)
    }

    // MARK: - Answers

    private func processAnswers() throws {
        for answer in outbox.drain() {
            if answer.type == .eom, let record = sessions[answer.session], record.eom?.queryID == answer.queryID {
                record.heldEOMAnswer = answer
                sendHeldEOMAnswer(record)
            } else {
                send(answer)
            }
        }
    }

    /// Sends the EOM answer once the output is complete, with the number of bytes written.
    private func sendHeldEOMAnswer(_ record: SessionRecord) {
        guard let answer = record.heldEOMAnswer else { return }
        var length = answer.daemonDataLength
        if let pipe = record.pipe {
            guard pipe.sinkClosed else { return }
            length = UInt32(truncatingIfNeeded: pipe.processor.outputByteCount)
            record.pipe = nil
        }
        record.heldEOMAnswer = nil
        record.eom = nil
        send(answer, dataLength: length)
    }

    private func send(_ answer: Answer, dataLength: UInt32? = nil) {
        deferred[answer.session] = deferred[answer.session].flatMap { $0.queryID == answer.queryID ? nil : $0 }
        let reply = FilterReply.response(
            queryID: answer.queryID, type: answer.type,
            dataLength: answer.type == .eom ? (dataLength ?? answer.daemonDataLength) : nil,
            status: answer.status, code: answer.code, line: answer.line)
        do {
            try channel.enqueue(reply.frame())
        } catch {
            // Cannot happen: the reply text is capped well below the frame limit.
            logger.critical("cannot encode the answer to \(answer.type): \(error)")
        }
        if answer.status != .ok || answer.code != 0 {
            logger.debug("\(answer.type) answered \(answer.status) \(answer.code) \(answer.line ?? "")",
                         metadata: ["session": "\(SessionIdentifier.hex(answer.session))"])
        }
    }
}
