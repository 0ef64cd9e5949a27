#if canImport(Glibc)
    import Glibc
#endif

/// Many sessions at once through a filter on the line protocol (OpenSMTPD 6.6+), as smtpd
/// interleaves them: each session reports link-connect, asks connect, helo, mail-from and
/// rcpt-to, then streams its messages as data-line requests (a few lines of each session in
/// turn, so the lines of many messages alternate) with commit after each, and reports
/// link-disconnect; one thread, non-blocking I/O.
///
/// Every request must be answered exactly once with `proceed`; every message line must come
/// back byte for byte, in order, ending with `.`.
public final class LineLoadDriver {
    /// What a run did.
    public struct Report: Sendable, CustomStringConvertible {
        /// Filter requests answered (data lines not counted).
        public var requests = 0
        /// Messages echoed.
        public var messages = 0
        /// Data lines echoed (final dots included).
        public var lines = 0

        /// `N requests, N messages, N lines`.
        public var description: String { "\(requests) requests, \(messages) messages, \(lines) data lines" }
    }

    private enum Step { case connect, helo, mail, rcpt, data, commit, done }

    private final class LoadSession {
        let id: UInt64
        let hex: String
        var messages: [[[UInt8]]]
        var step = Step.connect
        var token: UInt64 = 0
        var sentLines = 0
        var echoedLines = 0

        init(id: UInt64, messages: [[[UInt8]]]) {
            self.id = id
            self.hex = LineDaemonDouble.hex(id)
            self.messages = messages
        }
    }

    private let smtpd: LineDaemonDouble
    private let input: Int32
    private let output: Int32
    private let sessions: [UInt64: LoadSession]
    private let order: [LoadSession]
    private var outgoing: [UInt8] = []
    private var sent = 0
    private var incoming: [UInt8] = []
    private var scanned = 0
    private var streaming: [UInt64: LoadSession] = [:]
    private var finished = 0
    private var report = Report()
    /// Lines of each streaming session sent per turn.
    private let linesPerTurn = 8

    /// Drives `smtpd`'s filter (after the handshake) with one session per element of
    /// `messages`, each sending its messages (data lines as `LoadMessages.nextDataLines`
    /// makes them) in order.
    public init(smtpd: LineDaemonDouble, messages: [[[[UInt8]]]], firstSession: UInt64 = 0x20_0000) {
        self.smtpd = smtpd
        self.input = smtpd.process.outputDescriptor ?? smtpd.process.channel.descriptor
        self.output = smtpd.process.channel.descriptor
        let order = messages.enumerated().map { LoadSession(id: firstSession + UInt64($0.offset), messages: $0.element) }
        self.order = order
        self.sessions = Dictionary(uniqueKeysWithValues: order.map { ($0.id, $0) })
    }

    /// Runs every session to its end; throws on the first wrong answer or after `timeout` seconds.
    public func run(timeout: Double) throws -> Report {
        let deadline = FilterProcess.now() + timeout
        for session in order {
            queue("report|\(smtpd.version)|1764060000.000001|smtp-in|link-connect|\(session.hex)|load.example|pass|192.0.2.7:4000|192.0.2.1:25")
            request("connect", session, "load.example|192.0.2.7")
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while finished < order.count {
            guard FilterProcess.now() < deadline else {
                throw DoubleError.timeout("the load run: \(finished) of \(order.count) sessions done, \(report)")
            }
            if outgoing.count - sent < 1 << 18 { streamLines() }
            try flush()
            var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0)]
            if sent < outgoing.count { fds.append(pollfd(fd: output, events: Int16(POLLOUT), revents: 0)) }
            guard poll(&fds, nfds_t(fds.count), 100) > 0 else { continue }
            if fds[0].revents != 0 {
                let n = read(input, &buffer, buffer.count)
                if n == 0 { throw DoubleError.channelClosed }
                if n < 0 && errno != EAGAIN && errno != EINTR { throw DoubleError.system("read", errno) }
                if n > 0 {
                    incoming += buffer[0..<n]
                    try receiveLines()
                }
            }
        }
        if try smtpd.lineArrives(within: 0.2) {
            throw DoubleError.malformed("a line after every request was answered")
        }
        return report
    }

    // MARK: - Sending

    private func queue(_ line: String) {
        outgoing += Array(line.utf8)
        outgoing.append(10)
    }

    private func request(_ phase: String, _ session: LoadSession, _ parameters: String = "") {
        session.token = smtpd.token()
        queue("filter|\(smtpd.version)|1764060000.000002|smtp-in|\(phase)|\(session.hex)|\(LineDaemonDouble.hex(session.token))|\(parameters)")
    }

    /// A few lines of every streaming session in turn.
    private func streamLines() {
        for session in streaming.values {
            let lines = session.messages[0]
            let head = Array("filter|\(smtpd.version)|1764060000.000003|smtp-in|data-line|\(session.hex)|\(LineDaemonDouble.hex(session.token))|".utf8)
            var count = 0
            while count < linesPerTurn && session.sentLines <= lines.count {
                outgoing += head
                outgoing += session.sentLines < lines.count ? lines[session.sentLines] : [UInt8(ascii: ".")]
                outgoing.append(10)
                session.sentLines += 1
                count += 1
            }
        }
        for session in streaming.values where session.sentLines > session.messages[0].count {
            streaming[session.id] = nil
        }
    }

    private func flush() throws {
        while sent < outgoing.count {
            let n = outgoing.withUnsafeBytes { write(output, $0.baseAddress! + sent, $0.count - sent) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { return }
                throw DoubleError.system("write", errno)
            }
            sent += n
        }
        outgoing.removeAll(keepingCapacity: true)
        sent = 0
    }

    // MARK: - Answers

    private func receiveLines() throws {
        var start = 0
        while let newline = incoming[(start + scanned)...].firstIndex(of: 10) {
            try receive(incoming[start..<newline])
            start = newline + 1
            scanned = 0
        }
        scanned = incoming.count - start
        incoming.removeFirst(start)
    }

    private func receive(_ line: ArraySlice<UInt8>) throws {
        let fields = line.split(separator: UInt8(ascii: "|"), maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, let id = UInt64(String(decoding: fields[1], as: UTF8.self), radix: 16),
            let session = sessions[id],
            UInt64(String(decoding: fields[2], as: UTF8.self), radix: 16) == session.token
        else {
            throw DoubleError.malformed("unexpected line \(String(decoding: line.prefix(120), as: UTF8.self))")
        }
        let kind = String(decoding: fields[0], as: UTF8.self)
        if kind == "filter-dataline" {
            try echoed(fields[3], session)
            return
        }
        guard kind == "filter-result", fields[3].elementsEqual("proceed".utf8), session.step != .data, session.step != .done else {
            throw DoubleError.malformed("session \(session.hex) at \(session.step): \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        report.requests += 1
        switch session.step {
        case .connect: session.step = .helo; request("helo", session, "load.example")
        case .helo: startMessage(session)
        case .mail: session.step = .rcpt; request("rcpt-to", session, "<rcpt@example.org>")
        case .rcpt: startData(session)
        case .commit:
            session.messages.removeFirst()
            report.messages += 1
            queue("report|\(smtpd.version)|1764060000.000004|smtp-in|tx-reset|\(session.hex)|00000001")
            startMessage(session)
        case .data, .done: break
        }
    }

    private func startMessage(_ session: LoadSession) {
        if session.messages.isEmpty {
            queue("report|\(smtpd.version)|1764060000.000005|smtp-in|link-disconnect|\(session.hex)")
            session.step = .done
            finished += 1
            return
        }
        session.step = .mail
        request("mail-from", session, "<load@example.net>")
    }

    private func startData(_ session: LoadSession) {
        session.step = .data
        session.token = smtpd.token()
        session.sentLines = 0
        session.echoedLines = 0
        streaming[session.id] = session
    }

    private func echoed(_ payload: ArraySlice<UInt8>, _ session: LoadSession) throws {
        guard session.step == .data else { throw DoubleError.malformed("session \(session.hex): a data line outside a message") }
        let lines = session.messages[0]
        let expected = session.echoedLines < lines.count ? lines[session.echoedLines][...] : [UInt8(ascii: ".")][...]
        guard payload.elementsEqual(expected) else {
            throw DoubleError.malformed(
                "session \(session.hex) line \(session.echoedLines): \(payload.count) bytes came back for \(expected.count), or changed")
        }
        session.echoedLines += 1
        report.lines += 1
        if session.echoedLines > lines.count {
            session.step = .commit
            request("commit", session)
        }
    }
}
