import Logging
#if canImport(Glibc)
    import Glibc
#endif

/// The synchronous engine behind ``Table``: reads one request, answers it, repeats.
///
/// smtpd hands a table a blocking fd 0 and waits for each reply before sending the next
/// request; the loop polls before reading and writing, so a non-blocking descriptor works too.
final class TableRequestLoop {
    private unowned let table: Table
    private let channel: IMSGChannel
    private var opened = false

    init(table: Table, descriptor: Int32) {
        self.table = table
        // Its sends use MSG_NOSIGNAL: a daemon that went away makes the write fail (EPIPE)
        // instead of raising SIGPIPE, so the host program's signal handling stays its own.
        self.channel = IMSGChannel(descriptor: descriptor)
    }

    /// Runs until CLOSE or end of stream.
    func run() throws {
        while true {
            while let frame = try channel.nextFrame() {
                let request = try DaemonTableMessage(frame: frame)
                if try !handle(request) { return }
            }
            try wait(for: Int16(POLLIN))
            if try !channel.readAvailable() {
                table.logger.debug("smtpd closed the channel")
                return
            }
        }
    }

    /// Answers one request; returns false when the conversation is over (CLOSE).
    private func handle(_ request: DaemonTableMessage) throws -> Bool {
        switch request {
        case let .open(version, name):
            guard !opened else { throw ProtocolError.unexpectedMessage("a second PROC_TABLE_OPEN") }
            opened = true
            table.version = version
            table.name = name
            try send(.opened)
            table.logger.debug("opened as table \"\(name)\"")
            return true
        case .close:
            try requireOpen(request)
            table.logger.debug("PROC_TABLE_CLOSE received")
            return false
        case .update, .check, .lookup, .fetch:
            try requireOpen(request)
            if let reply = table.reply(to: request) { try send(reply) }
            return true
        }
    }

    private func requireOpen(_ request: DaemonTableMessage) throws {
        if !opened { throw ProtocolError.unexpectedMessage("\(request.type) before PROC_TABLE_OPEN") }
    }

    private func send(_ reply: TableReply) throws {
        try channel.enqueue(try reply.frame())
        while channel.hasPendingOutput {
            try channel.flush()
            if channel.hasPendingOutput { try wait(for: Int16(POLLOUT)) }
        }
    }

    /// Blocks until the channel is ready for `events` (or hung up, which the read reports).
    private func wait(for events: Int16) throws {
        while true {
            var fds = [pollfd(fd: channel.descriptor, events: events, revents: 0)]
            let ready = poll(&fds, 1, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                throw TransportError.system("poll", errno)
            }
            if fds[0].revents & Int16(POLLNVAL) != 0 { throw TransportError.badDescriptor(channel.descriptor) }
            if ready > 0 { return }
        }
    }
}
