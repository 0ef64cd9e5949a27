import RuleStores
internal import CHiredis
import EventThreads
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The event thread of a ``RedisClient``: one non-blocking connection, driven by `poll`
/// with the inbox's pipe. Commands are written as they come (pipelined) and their replies
/// read back in order through hiredis's parser; every command is completed by its deadline.
///
/// - A command past its deadline is answered ``RedisFailure/timeout`` at once; its reply,
///   if it comes, is read and dropped. A server that owes a reply a second past its
///   deadline is taken as stuck: the connection is dropped and made again.
/// - A connection that cannot be made, breaks or brings what is not RESP fails what was
///   sent on it; it is made again after a pause that doubles up to 5 s.
/// - After ``Breaker/threshold`` failures in a row the breaker opens: for
///   ``Breaker/pause`` commands fail at once with ``RedisFailure/unavailable``; then they
///   are tried again, and the first answer closes it.
///
/// Everything here runs on that one thread; `@unchecked Sendable` only because the thread
/// is handed the loop when it starts.
final class RedisEventLoop: @unchecked Sendable {
    /// The circuit breaker's numbers.
    enum Breaker {
        static let threshold = 5
        static let pause: Duration = .seconds(10)
    }

    private let endpoint: RedisEndpoint
    /// Where it connects: worked out when the client is made (see ``RedisSocketAddress``).
    private let address: Result<RedisSocketAddress, RedisFailure>
    private let password: String?
    private let inbox: WakeInbox<RedisRequest>
    private let logger: Logger
    private var descriptor: Int32 = -1
    private var connecting = false
    private var reader: UnsafeMutablePointer<redisReader>?
    private var output: [UInt8] = []
    /// Commands written (or to be written) on the connection, oldest first, awaiting replies;
    /// those past their deadline stay until their reply is read.
    private var sent: [RedisRequest] = []
    /// Commands waiting for a connection.
    private var waiting: [RedisRequest] = []
    private var reconnectAt = ContinuousClock.now
    private var reconnectPause: Duration = .milliseconds(100)
    private var failuresInARow = 0
    private var openUntil: ContinuousClock.Instant?
    private var lastWarning: ContinuousClock.Instant?

    init(endpoint: RedisEndpoint, password: String?, inbox: WakeInbox<RedisRequest>, logger: Logger) {
        self.endpoint = endpoint
        self.address = RedisSocketAddress.of(endpoint)
        self.password = password
        self.inbox = inbox
        self.logger = logger
    }

    /// Runs until the client stops; then fails whatever is left.
    func run() {
        while true {
            let taken = inbox.take()
            if taken.stopping {
                // Requests taken with the stop are failed below with the rest.
                waiting += taken.items
                break
            }
            for request in taken.items { accept(request) }
            if descriptor < 0, !waiting.isEmpty, ContinuousClock.now >= reconnectAt { connect() }
            if descriptor >= 0, !connecting, !waiting.isEmpty { flushWaiting() }
            wait()
            expire()
        }
        disconnect(failing: .shutDown, note: false)
        for request in waiting { request.complete(.failure(.shutDown)) }
        for request in inbox.take().items { request.complete(.failure(.shutDown)) }
        inbox.close()
    }

    // MARK: Commands

    /// A new command: failed at once while the breaker is open, else sent or kept for the
    /// connection.
    private func accept(_ request: RedisRequest) {
        if let until = openUntil {
            if ContinuousClock.now < until {
                request.complete(.failure(.unavailable))
                return
            }
            openUntil = nil
        }
        waiting.append(request)
    }

    private func flushWaiting() {
        for request in waiting where !request.isCompleted {
            output += request.bytes
            sent.append(request)
        }
        waiting.removeAll()
        writeOutput()
    }

    /// A command's outcome, for the breaker.
    private func note(_ result: Result<RedisReply, RedisFailure>) {
        switch result {
        case .success:
            failuresInARow = 0
        case .failure(let failure):
            guard failure != .unavailable, failure != .shutDown else { return }
            failuresInARow += 1
            if failuresInARow >= Breaker.threshold, openUntil == nil {
                openUntil = ContinuousClock.now + Breaker.pause
                failuresInARow = 0
                warn("\(Breaker.threshold) commands in a row failed (last: \(failure)); not asked for \(Breaker.pause.components.seconds) s")
            }
        }
    }

    private func complete(_ request: RedisRequest, _ result: Result<RedisReply, RedisFailure>) {
        if request.complete(result) { note(result) }
    }

    // MARK: Connection

    private func connect() {
        let resolved: RedisSocketAddress
        switch address {
        case .success(let found): resolved = found
        case .failure(.disconnected(let why)): return failConnect(why)
        case .failure(let failure): return failConnect(failure.description)
        }
        var storage = resolved.storage
        let length = resolved.length, family = resolved.family
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return failConnect(errorText()) }
        let status = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
        if status != 0 && errno != EINPROGRESS {
            let why = errorText()
            close(fd)
            return failConnect(why)
        }
        descriptor = fd
        connecting = status != 0
        reader = redisReaderCreate()
        // The handshake goes first, before any waiting command.
        var handshake: [RedisRequest] = []
        let deadline = ContinuousClock.now + .seconds(2)
        if let password {
            handshake.append(RedisRequest(bytes: RedisCommand.format(["AUTH", password]), deadline: deadline) { [self] in checkHandshake($0, "AUTH") })
        }
        if endpoint.database != 0 {
            handshake.append(
                RedisRequest(bytes: RedisCommand.format(["SELECT", String(endpoint.database)]), deadline: deadline) { [self] in
                    checkHandshake($0, "SELECT")
                })
        }
        for request in handshake {
            output += request.bytes
            sent.append(request)
        }
        if !connecting { connected() }
    }

    /// A handshake command's reply: an error drops the connection (a wrong password, a
    /// database that does not exist).
    private func checkHandshake(_ result: Result<RedisReply, RedisFailure>, _ command: String) {
        if case .success(.error(let message)) = result {
            pendingDrop = "\(command) refused: \(message)"
        }
    }

    /// Set by a failed handshake; the loop drops the connection after the current read.
    private var pendingDrop: String?

    private func connected() {
        connecting = false
        reconnectPause = .milliseconds(100)
        if lastWarning != nil {
            logger.notice("Redis store \(endpoint): connected again")
            lastWarning = nil
        }
        flushWaiting()
    }

    private func failConnect(_ why: String) {
        reconnectAt = ContinuousClock.now + reconnectPause
        reconnectPause = min(reconnectPause * 2, .seconds(5))
        warn("cannot connect: \(why)")
        for request in waiting { complete(request, .failure(.disconnected(why))) }
        waiting.removeAll()
    }

    /// Drops the connection, failing what was sent on it with `failure`.
    private func disconnect(failing failure: RedisFailure, note shouldWarn: Bool = true) {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        connecting = false
        if let reader { redisReaderFree(reader) }
        reader = nil
        output.removeAll()
        for request in sent { complete(request, .failure(failure)) }
        sent.removeAll()
        reconnectAt = ContinuousClock.now + reconnectPause
        reconnectPause = min(reconnectPause * 2, .seconds(5))
        if shouldWarn { warn("\(failure)") }
    }

    /// Logs a problem at most once a minute.
    private func warn(_ text: String) {
        let now = ContinuousClock.now
        if let last = lastWarning, now - last < .seconds(60) { return }
        lastWarning = now
        logger.warning("Redis store \(endpoint): \(text); store terms are unknown (no match) meanwhile")
    }

    // MARK: Input and output

    private func writeOutput() {
        guard descriptor >= 0, !connecting, !output.isEmpty else { return }
        let written = output.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if written < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            return disconnect(failing: .disconnected(errorText()))
        }
        output.removeFirst(written)
    }

    private func readInput() {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while descriptor >= 0 {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { return }
                return disconnect(failing: .disconnected(errorText()))
            }
            if count == 0 { return disconnect(failing: .disconnected("the server closed the connection")) }
            let fed = buffer.withUnsafeBytes { redisReaderFeed(reader, $0.baseAddress!.assumingMemoryBound(to: CChar.self), count) }
            guard fed == REDIS_OK else { return disconnect(failing: .protocolError("the reader refused the input")) }
            while descriptor >= 0 {
                var object: UnsafeMutableRawPointer?
                if redisReaderGetReply(reader, &object) != REDIS_OK {
                    var why = "a malformed reply"
                    if let reader {
                        why = withUnsafeBytes(of: reader.pointee.errstr) { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
                    }
                    return disconnect(failing: .protocolError(why))
                }
                guard let object else { break }
                let reply = RedisReply(object.assumingMemoryBound(to: redisReply.self))
                freeReplyObject(object)
                guard !sent.isEmpty else { return disconnect(failing: .protocolError("a reply to no command")) }
                complete(sent.removeFirst(), .success(reply))
                if let why = pendingDrop {
                    pendingDrop = nil
                    return disconnect(failing: .disconnected(why))
                }
            }
        }
    }

    /// Waits for the connection, the inbox, or the nearest deadline or reconnection.
    private func wait() {
        var fds = [pollfd(fd: inbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if descriptor >= 0 {
            var events = Int16(POLLIN)
            if connecting || !output.isEmpty { events |= Int16(POLLOUT) }
            fds.append(pollfd(fd: descriptor, events: events, revents: 0))
        }
        var nearest: ContinuousClock.Instant?
        for queue in [sent, waiting] {
            for request in queue where !request.isCompleted && nearest.map({ request.deadline < $0 }) ?? true { nearest = request.deadline }
        }
        if descriptor < 0, !waiting.isEmpty { nearest = min(nearest ?? reconnectAt, reconnectAt) }
        if let overdue = sent.first?.deadline { nearest = min(nearest ?? overdue, overdue + .seconds(1)) }
        var timeout: Int32 = -1
        if let nearest {
            let left = nearest - ContinuousClock.now
            timeout = left <= .zero ? 0 : Int32(min(Double(left.components.seconds) * 1000 + Double(left.components.attoseconds) / 1e15 + 1, 60_000))
        }
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        guard ready > 0, fds.count == 2 else { return }
        let revents = fds[1].revents
        if connecting, revents & Int16(POLLOUT | POLLERR | POLLHUP) != 0 {
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &size)
            if error != 0 {
                let why = String(cString: strerror(error))
                disconnect(failing: .disconnected(why), note: false)
                return failConnect(why)
            }
            connected()
        }
        if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { readInput() }
        if descriptor >= 0, revents & Int16(POLLOUT) != 0 { writeOutput() }
    }

    /// Fails the commands past their deadline; drops a connection whose oldest reply is a
    /// second overdue.
    private func expire() {
        let now = ContinuousClock.now
        for queue in [sent, waiting] {
            for request in queue where request.deadline <= now { complete(request, .failure(.timeout)) }
        }
        waiting.removeAll { $0.isCompleted }
        if let oldest = sent.first, oldest.deadline + .seconds(1) <= now {
            disconnect(failing: .timeout)
        }
    }

    private func errorText() -> String { String(cString: strerror(errno)) }
}
