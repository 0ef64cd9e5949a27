import COpenSMTPDShims
import Logging
#if canImport(Glibc)
    import Glibc
#endif

/// The single-threaded engine behind ``Filter``: polls the daemon's channel, the data
/// pipes of the messages under way and the answer outbox, dispatches messages to the
/// callbacks and guarantees one response per query.
///
/// A pass of the loop looks only at the channel, the outbox and the sessions with a
/// message under way; idle sessions cost nothing per pass. While more than
/// ``IMSGChannel/highWaterMark`` bytes of answers are unsent the loop does not read the
/// daemon (back-pressure). The process's signal dispositions are left alone: no write of the
/// library raises SIGPIPE.
final class FilterEventLoop {
    unowned let filter: Filter
    let channel: IMSGChannel
    let outbox: AnswerOutbox
    let context: SessionContext
    var table = SessionTable()
    var deferred: [UInt64: (session: Session, queryID: UInt64, deadline: ContinuousClock.Instant)] = [:]
    var registered = false
    private var finished = false
    var scratch = [UInt8](repeating: 0, count: 65536)
    /// The bytes all held messages take together, against ``MessageHoldLimits/total``.
    let holdBudget = HoldBudget()
    var logger: Logger { filter.logger }

    init(filter: Filter, descriptor: Int32) throws {
        self.filter = filter
        self.channel = IMSGChannel(descriptor: descriptor)
        self.outbox = try AnswerOutbox()
        self.context = SessionContext(outbox: outbox, logger: filter.logger)
        // smtpd hands filters a non-blocking fd 0; make sure of it either way.
        guard copensmtpd_set_nonblocking(descriptor, 1) == 0 else {
            throw TransportError.system("fcntl(O_NONBLOCK) on fd \(descriptor)", errno)
        }
    }

    func register() throws {
        try run(until: { $0.registered || $0.finished })
    }

    func serve() throws {
        try run(until: { $0.finished })
        table.removeAll()
    }

    // MARK: - The loop

    private func run(until done: (FilterEventLoop) -> Bool) throws {
        outbox.adoptCurrentThreadAsLoop()
        while !done(self) {
            expireDeferredAnswers()
            try processAnswers()
            try channel.flush()
            if channel.peerStoppedReading != nil { return channelClosed() }
            if done(self) { break }

            let readsChannel = !channel.isBackpressured
            var fds: [pollfd] = [
                pollfd(
                    fd: channel.descriptor,
                    events: (readsChannel ? Int16(POLLIN) : 0) | (channel.hasPendingOutput ? Int16(POLLOUT) : 0),
                    revents: 0),
                pollfd(fd: outbox.pollDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            var owners: [(message: MessageState, isInput: Bool)] = []
            for message in table.messages.values {
                guard let pipe = message.pipe else { continue }
                if !pipe.inputClosed && !pipe.isBackpressured {
                    fds.append(pollfd(fd: pipe.input, events: Int16(POLLIN), revents: 0))
                    owners.append((message, true))
                }
                if !pipe.sinkClosed && pipe.hasPendingOutput {
                    fds.append(pollfd(fd: pipe.sink, events: Int16(POLLOUT), revents: 0))
                    owners.append((message, false))
                }
            }
            let ready = poll(&fds, nfds_t(fds.count), pollTimeout())
            if ready < 0 {
                if errno == EINTR { continue }
                throw TransportError.system("poll", errno)
            }
            if ready == 0 { continue }

            for (index, owner) in owners.enumerated() where fds[index + 2].revents != 0 {
                // A pipe of a session that ended during this pass is gone.
                guard let pipe = owner.message.pipe else { continue }
                if owner.isInput {
                    readPipe(pipe, of: owner.message)
                } else {
                    pipe.flushOutput()
                }
                pipeProgressed(owner.message)
            }
            let channelEvents = fds[0].revents
            if channelEvents & Int16(POLLNVAL) != 0 {
                throw TransportError.badDescriptor(channel.descriptor)
            }
            if channelEvents & Int16(POLLOUT) != 0 {
                try channel.flush()
                if channel.peerStoppedReading != nil { return channelClosed() }
            }
            if channelEvents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
                if try !channel.readAvailable() { return channelClosed() }
                while let frame = try channel.nextFrame() {
                    try dispatch(try DaemonFilterMessage(frame: frame))
                    try processAnswers()
                }
            }
        }
    }

    /// The daemon closed the channel: at the end of its input, by resetting it, or by no
    /// longer reading it. Answers that can still go out are sent; what is lost is logged.
    private func channelClosed() {
        finished = true
        try? processAnswers()
        try? channel.flush()
        let open = "\(table.count) sessions open"
        if let stopped = channel.peerStoppedReading {
            logger.notice("smtpd stopped reading the channel (\(stopped.reason)) with \(open): \(stopped.unsentBytes) bytes of answers not delivered")
        } else if channel.unsentByteCount > 0 {
            logger.notice("smtpd closed the channel with \(open): \(channel.unsentByteCount) bytes of answers not delivered")
        } else {
            logger.debug("daemon closed the channel with \(open)")
        }
    }

    private func pollTimeout() -> Int32 {
        guard let next = deferred.values.map(\.deadline).min() else { return -1 }
        let remaining = ContinuousClock.now.duration(to: next)
        if remaining <= .zero { return 0 }
        let (seconds, attoseconds) = remaining.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }
}
