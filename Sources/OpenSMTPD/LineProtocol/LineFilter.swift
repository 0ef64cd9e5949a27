import Logging

/// An OpenSMTPD filter speaking the line-based protocol of OpenSMTPD 6.6 and later
/// (versions 0.4 to 0.7) on standard input and output.
///
/// Set the callbacks for the phases you need, then call ``serve()``. Only phases with a
/// callback are registered. Every filter request gets exactly one answer: a callback's
/// result, or ``fallback`` when it throws; requests the filter cannot read are answered
/// with ``fallback`` too when they name a session and token. Message lines arrive without
/// dot-stuffing and go back stuffed again; a line returned `.unchanged` is echoed byte for byte.
///
/// The protocol logic is in ``handle(line:)``, which takes one line from the daemon and
/// returns the bytes to send back, so it can be driven in memory.
///
/// Configure the filter before ``serve()``; from then on only the thread that serves uses
/// it. The variables read for every message line are `@exclusivity(unchecked)`, as in the
/// channel: the runtime's checks cost more than the rest of reading such a line.
public final class LineFilter {
    /// The `connect` request, with the session's client.
    public var onConnect: ((LineSession) throws -> LineFilterResult)?
    /// `HELO`, with the name the client gave.
    public var onHELO: ((LineSession, String) throws -> LineFilterResult)?
    /// `EHLO`, with the name the client gave.
    public var onEHLO: ((LineSession, String) throws -> LineFilterResult)?
    /// `MAIL FROM`, with the sender address (`<>` gives an empty user and domain).
    public var onMailFrom: ((LineSession, MailAddress) throws -> LineFilterResult)?
    /// `RCPT TO`, with the recipient address.
    public var onRcptTo: ((LineSession, MailAddress) throws -> LineFilterResult)?
    /// `DATA`.
    public var onData: ((LineSession) throws -> LineFilterResult)?
    /// One message line, dot-stuffing removed; setting it registers the `data-line` phase.
    public var onDataLine: ((LineSession, DataLine) throws -> DataLineOutput)? {
        get { dataLineCallback }
        set { dataLineCallback = newValue }
    }
    /// The observer of a session's message lines, asked at the first line of each session and
    /// token (and again after sessions began or ended, so it must give the same observer for
    /// the same session); setting it registers the `data-line` phase. Lines go to the
    /// observer instead of ``onDataLine``: set one of the two. A session given no observer
    /// (nil) has its lines echoed unseen.
    public var dataLineObserver: ((LineSession) -> (any DataLineObserver)?)? {
        get { observerForSession }
        set { observerForSession = newValue }
    }
    /// The final dot of a message (`commit`): the verdict on its content.
    public var onCommit: ((LineSession) throws -> LineFilterResult)?
    /// The session began (`link-connect` report); always registered.
    public var onLinkConnect: ((LineSession) throws -> Void)?
    /// The session ended (`link-disconnect` report); always registered.
    public var onLinkDisconnect: ((LineSession) throws -> Void)?
    /// The transaction ended: RSET, or after a message (`tx-reset` report).
    public var onTransactionReset: ((LineSession) throws -> Void)?
    /// The client tried to authenticate (`link-auth` report): the user name and the result
    /// (`pass`, `fail` or `error`), read in the field order of the line's protocol version
    /// (`username|result` before 0.7, `result|username` from 0.7 on); registered when set.
    public var onLinkAuth: ((LineSession, _ user: String, _ result: String) throws -> Void)?
    /// The session is under TLS (`link-tls` report): smtpd's summary, e.g.
    /// `TLSv1.3:TLS_AES_256_GCM_SHA384:256`; registered when set.
    public var onLinkTLS: ((LineSession, String) throws -> Void)?
    /// Whether to hold a message until its verdict, asked at the first `data-line` of each
    /// message. A held message's `filter-dataline` lines are kept instead of written (each
    /// as ``onDataLine`` leaves it: an unchanged line byte for byte, dot-stuffing kept), its
    /// final `.` included, until ``onMessageEnd`` releases it with lines to put at its top.
    /// Setting it registers the `data-line` phase. See ``holdLimits``.
    public var holdsMessage: ((LineSession) -> Bool)? {
        get { holdsMessageOf }
        set { holdsMessageOf = newValue }
    }
    /// The final `.` of a held message arrived: the message waits for the handle's
    /// ``HeldMessageRelease/release(prepending:)``, from this callback or later from any
    /// thread (smtpd sends the session's `commit` only after the filter's `.`; other
    /// sessions go on being served). A callback that throws releases the message without
    /// lines (logged); without a callback a held message is released as it is. Also called
    /// for a message that grew over the hold limit and was passed on (so the verdict can be
    /// computed), with a handle that adds nothing (``HeldMessageRelease/isHeld`` is false).
    public var onMessageEnd: ((LineSession, HeldMessageRelease) throws -> Void)?
    /// The final `.` of a message that is not held arrived, before it is echoed: the message
    /// is whole and smtpd's `commit` comes next, so its verdict can be worked out meanwhile.
    /// Called for tracked sessions only; a callback that throws is logged. It registers no
    /// phase: set ``onDataLine``, ``dataLineObserver`` or ``holdsMessage`` too.
    public var onMessageComplete: ((LineSession) throws -> Void)?
    /// How much of a held message is kept in memory, where the rest spills, the largest
    /// message held, and the most all held messages take at once (a message over either is
    /// passed on without its lines, logged).
    public var holdLimits = MessageHoldLimits()

    /// The answer sent when a callback throws or a request cannot be read.
    public var fallback: LineFilterResult = .reject(code: 451, text: "4.3.0 Temporary failure in mail filter")
    /// Longest line accepted from the daemon.
    public var maximumLineLength = 4 << 20
    /// Most sessions tracked at once (``sessions``). At the bound no session is evicted: a
    /// new session is not tracked, its requests get ``sessionLimitResult`` without reaching
    /// the callbacks (its message lines are echoed unchanged), and the episode is logged.
    /// A tracked session (``LineSession``) costs about 190 bytes.
    public var maximumSessions = defaultMaximumSessions
    /// The answer to the requests of a session refused at ``maximumSessions``.
    public var sessionLimitResult: LineFilterResult = .disconnect(
        code: 421, text: "4.3.2 Too many sessions in the mail filter, try again later")
    /// Where the library logs. Logs must go to stderr: stdout is the daemon's channel.
    public var logger: Logger

    /// The `config|KEY|VALUE` lines of the handshake.
    public private(set) var configuration: [String: String] = [:]
    /// The protocol version of the last line that carried one.
    public var version: LineProtocolVersion? { lastVersion }
    /// Whether `config|ready` has been answered with the registration.
    public private(set) var isRegistered = false
    /// Sessions known from reports and requests, by id (at most ``maximumSessions``).
    public var sessions: [UInt64: LineSession] { trackedSessions }

    // What the serving thread reads for every message line, behind the public properties
    // above. @exclusivity(unchecked): a filter is served by one thread (``serve()`` or the
    // caller of ``handle(line:)``), the public accessors only copy a value in or out, and
    // the runtime's checks were a sixth of the serving thread's time per line (profiled).
    @exclusivity(unchecked) var dataLineCallback: ((LineSession, DataLine) throws -> DataLineOutput)?
    @exclusivity(unchecked) var observerForSession: ((LineSession) -> (any DataLineObserver)?)?
    @exclusivity(unchecked) var holdsMessageOf: ((LineSession) -> Bool)?
    @exclusivity(unchecked) var lastVersion: LineProtocolVersion?
    /// The sessions, changed only through ``track(_:)`` and ``untrack(_:)``, which count the
    /// change in ``sessionChanges``.
    @exclusivity(unchecked) private var trackedSessions: [UInt64: LineSession] = [:]
    /// How many times ``trackedSessions`` changed: a ``MessageLineCache`` made before the
    /// last change is stale.
    @exclusivity(unchecked) private var sessionChanges: UInt64 = 0

    private let input: Int32
    private let output: Int32
    private var loggedNewerVersion = false
    /// The request whose callback runs, and whether that callback deferred its answer.
    private var current: (request: LineFilterRequest, promise: LineDeferredAnswer?)?
    /// Answers given off the loop; made when the first is promised.
    var lateAnswers: LineDeferredAnswers?
    private var limit = SessionLimit()
    /// What the lines of the message being echoed share, for the lines handled in memory
    /// (``handle(line:)``; ``serve()`` keeps its own).
    @exclusivity(unchecked) private var inMemoryLineCache: MessageLineCache?
    /// The messages under way, by session, while ``holdsMessage`` is set (LineFilter+Hold.swift).
    @exclusivity(unchecked) var messageHolds = MessageHoldTable()
    var nextHoldSerial: UInt64 = 0
    /// The bytes all held messages take together, against ``MessageHoldLimits/total``.
    let holdBudget = HoldBudget()
    /// Sessions whose held message could not be read back whole: their `commit` gets
    /// ``fallback`` whatever the callback says.
    var damagedMessages: Set<UInt64> = []

    /// Creates a filter reading the daemon from `input` and answering on `output`.
    public init(input: Int32 = 0, output: Int32 = 1, logger: Logger = Logger(label: "opensmtpd.line-filter")) {
        self.input = input
        self.output = output
        self.logger = logger
    }

    /// The phases registered: one per callback that is set (`helo` and `ehlo` apart; `data-line`
    /// also for ``dataLineObserver``), and `data-line` and `commit` when ``holdsMessage`` is set.
    public var phases: [String] {
        var phases: [String] = []
        if onConnect != nil { phases.append("connect") }
        if onHELO != nil { phases.append("helo") }
        if onEHLO != nil { phases.append("ehlo") }
        if onMailFrom != nil { phases.append("mail-from") }
        if onRcptTo != nil { phases.append("rcpt-to") }
        if onData != nil { phases.append("data") }
        if onDataLine != nil || dataLineObserver != nil || holdsMessage != nil { phases.append("data-line") }
        // With holding, `commit` is registered too: a held message that could not be passed
        // on whole has its commit refused.
        if onCommit != nil || holdsMessage != nil { phases.append("commit") }
        return phases
    }

    /// The report events registered: the session's start and end, and `tx-reset` when
    /// ``onTransactionReset`` is set.
    public var reportEvents: [String] {
        ["link-connect", "link-disconnect"] + (onTransactionReset != nil ? ["tx-reset"] : [])
            + (onLinkAuth != nil ? ["link-auth"] : []) + (onLinkTLS != nil ? ["link-tls"] : [])
    }

    /// The registration sent after `config|ready`, ending with `register|ready`.
    public var registration: String {
        reportEvents.map { "register|report|smtp-in|\($0)\n" }.joined()
            + phases.map { "register|filter|smtp-in|\($0)\n" }.joined()
            + "register|ready\n"
    }

    /// Answers the daemon on fd `input`/`output` until it closes the channel, then returns.
    ///
    /// The daemon closes the channel by ending its input at a line boundary, by resetting it
    /// (ECONNRESET), or by no longer reading it (EPIPE or ECONNRESET when an answer is
    /// written; SIGPIPE is never raised): all three return normally, the last one with a
    /// notice saying how many bytes of answers were not delivered.
    ///
    /// - Throws: ``LineProtocolError`` for an unsupported protocol version, a line over
    ///   ``maximumLineLength``, input ending inside a line, or a failing channel.
    public func serve() throws(LineProtocolError) {
        let late = try lateAnswerQueue()
        let channel = LineChannel(
            input: input, output: output, maximumLineLength: maximumLineLength,
            lateAnswers: .init(
                queue: late, take: { [unowned self] emit throws(LineProtocolError) in try takeLateAnswers(emit: emit) }))
        let emit: LineEmit = { bytes throws(LineProtocolError) in try channel.queue(bytes) }
        // Locals, not closures nor properties: what is read for every message line is then
        // neither retained nor checked for exclusive access per line (both showed in profiles).
        var reader = DataLineReader()
        var cache: MessageLineCache?
        while let line = try channel.nextLine() {
            // Message lines, most of the traffic, are read in place and echoed straight into
            // the answer queue; every other line is parsed in full.
            if let request = reader.read(line) {
                try check(request.version, Array(line))
                try dataLine(request, in: line, cache: &cache, answers: channel)
            } else {
                try channel.queue(try handle(line: Array(line), emit: emit))
                // A session that began or ended makes the cache stale: let it go now, so that
                // an ended session's observer is not kept alive until the next message.
                if let stale = cache, stale.sessionChanges != sessionChanges { cache = nil }
            }
        }
        try channel.flush()
        if let stopped = channel.peerStoppedReading {
            let message =
                "smtpd stopped reading the channel (\(stopped.reason)) with \(sessions.count) sessions open: "
                + "\(stopped.unsentBytes) bytes of answers not delivered"
            logger.notice("\(message)")
        } else {
            logger.debug("smtpd closed the channel with \(sessions.count) sessions open")
        }
    }

    /// Promises the answer to the request whose callback is running, to be given later with
    /// ``LineDeferredAnswer/send(_:)`` from any thread; the callback's return value is then
    /// not sent (a callback that throws after deferring gets ``fallback`` sent through the
    /// promise, and a later send is ignored). ``serve()`` writes the answer as soon as it is given (waking up if it waits
    /// for the daemon), unless the session has ended meanwhile. Call it only from a request
    /// callback (`onCommit`, `onHELO`, …).
    public func deferAnswer() -> LineDeferredAnswer {
        guard let request = current?.request, let late = try? lateAnswerQueue() else {
            preconditionFailure("deferAnswer() called outside a request callback")
        }
        if let promise = current?.promise { return promise }
        let promise = LineDeferredAnswer(session: request.session, token: request.token, version: request.version, outbox: late)
        current?.promise = promise
        return promise
    }

    /// The answers given off the loop since the last call, and the messages released, as
    /// bytes to send, without those of sessions that have ended (``serve()`` takes them
    /// itself, writing a released message piece by piece; a filter driven in memory through
    /// ``handle(line:)`` calls this, which returns a released message whole).
    public func takeLateAnswers() -> [UInt8] {
        var bytes: [UInt8] = []
        // Only `emit` throws, and collecting into an array does not.
        try? takeLateAnswers { bytes += $0 }
        return bytes
    }

    /// The answers given off the loop, and the released messages, written through `emit`.
    func takeLateAnswers(emit: LineEmit) throws(LineProtocolError) {
        guard let lateAnswers else { return }
        for (session, output) in lateAnswers.take() {
            switch output {
            case let .answer(bytes):
                if trackedSessions[session] != nil {
                    try emit(bytes)
                } else {
                    logger.debug("session \(SessionIdentifier.hex(session)) ended before its deferred answer: not sent")
                }
            case let .release(serial, lines):
                try writeReleased(session: session, serial: serial, prepending: lines, emit: emit)
            }
        }
    }

    func lateAnswerQueue() throws(LineProtocolError) -> LineDeferredAnswers {
        if let lateAnswers { return lateAnswers }
        let made = try LineDeferredAnswers()
        lateAnswers = made
        return made
    }

    /// Handles one line from the daemon (without its `\n`) and returns what to send back.
    ///
    /// A message that stops being held (it grew over ``holdLimits``) comes back whole, in
    /// the bytes of the line that made it too large.
    public func handle(line: [UInt8]) throws(LineProtocolError) -> [UInt8] {
        var streamed: [UInt8] = []
        let rest = try handle(line: line) { streamed += $0 }
        if streamed.isEmpty { return rest }
        return streamed + rest
    }

    /// Handles one line; bytes of a held message passed on go through `emit` (piece by
    /// piece) before the bytes returned.
    func handle(line: [UInt8], emit: LineEmit) throws(LineProtocolError) -> [UInt8] {
        let message: LineMessage
        do {
            message = try LineMessage.parse(line)
        } catch {
            return try malformed(line, error)
        }
        switch message {
        case let .config(key, value):
            configuration[key] = value
            return []
        case .configReady:
            guard !isRegistered else {
                logger.warning("config|ready received twice; ignored")
                return []
            }
            isRegistered = true
            return Array(registration.utf8)
        case .report(let report):
            try check(report.version, line)
            if report.subsystem == "smtp-in" { receive(report) }
            return []
        case .filter(let request):
            try check(request.version, line)
            return try answer(request, emit: emit)
        }
    }

    // MARK: - Reports

    private func receive(_ report: LineReport) {
        switch report.event {
        case "link-connect":
            guard trackedSessions[report.session] != nil || admits(report.session) else { return }
            var session = LineSession(id: report.session)
            let fields = report.fields
            if fields.count >= 4 {
                session.reverseDNS = fields[0]
                session.forwardConfirmed = fields[1]
                session.source = fields[2]
                session.destination = fields[3]
            } else {
                logger.warning("session \(SessionIdentifier.hex(report.session)): link-connect with \(fields.count) fields, expected 4")
            }
            track(session)
            run("link-connect", report.session) { try onLinkConnect?(session) }
        case "link-disconnect":
            // A session never tracked (refused at the bound) has nothing to end.
            guard let session = untrack(report.session) else { return }
            endHold(of: report.session)
            limit.sessionEnded(count: trackedSessions.count, maximum: maximumSessions, logger: logger)
            run("link-disconnect", report.session) { try onLinkDisconnect?(session) }
        case "tx-reset":
            guard let session = self.session(report.session) else { return }
            run("tx-reset", report.session) { try onTransactionReset?(session) }
        case "link-auth":
            guard let session = trackedSessions[report.session], let (user, result) = Self.authFields(report) else { return }
            run("link-auth", report.session) { try onLinkAuth?(session, user, result) }
        case "link-tls":
            guard let session = trackedSessions[report.session] else { return }
            let summary = String(decoding: report.parameters, as: UTF8.self)
            run("link-tls", report.session) { try onLinkTLS?(session, summary) }
        default:
            break
        }
    }

    /// The user and result of a `link-auth` report: `username|result` before 0.7,
    /// `result|username` from 0.7 on (a user name may hold `|`); nil without a `|`.
    static func authFields(_ report: LineReport) -> (user: String, result: String)? {
        let fields = report.fields
        guard fields.count >= 2 else { return nil }
        if report.version >= LineProtocolVersion(major: 0, minor: 7) {
            return (fields.dropFirst().joined(separator: "|"), fields[0])
        }
        return (fields.dropLast().joined(separator: "|"), fields[fields.count - 1])
    }

    /// Tells ``onMessageComplete`` that the message of session `id`, not held, is whole.
    func messageComplete(_ id: UInt64) {
        guard let onMessageComplete, let session = session(id) else { return }
        run("message-complete", id) { try onMessageComplete(session) }
    }

    private func run(_ what: String, _ id: UInt64, _ body: () throws -> Void) {
        do { try body() } catch {
            logger.error("session \(SessionIdentifier.hex(id)): \(what) callback failed: \(error)")
        }
    }

    /// The session `id`, tracked from now on if it is new; nil when it is new and
    /// ``maximumSessions`` are tracked.
    func session(_ id: UInt64) -> LineSession? {
        if let session = trackedSessions[id] { return session }
        guard admits(id) else { return nil }
        let session = LineSession(id: id)
        track(session)
        return session
    }

    private func admits(_ id: UInt64) -> Bool {
        limit.admits(count: trackedSessions.count, maximum: maximumSessions, logger: logger)
    }

    /// Tracks `session` (new, or with its fields updated); the message-line cache is dropped,
    /// as it may hold the session as it was.
    private func track(_ session: LineSession) {
        trackedSessions[session.id] = session
        sessionChanges &+= 1
    }

    /// Stops tracking session `id` and returns it; the message-line caches are stale.
    private func untrack(_ id: UInt64) -> LineSession? {
        sessionChanges &+= 1
        return trackedSessions.removeValue(forKey: id)
    }

    // MARK: - Requests

    private func answer(_ request: LineFilterRequest, emit: LineEmit) throws(LineProtocolError) -> [UInt8] {
        if request.phase == "data-line" {
            return try withoutActuallyEscaping(emit) { emit throws(LineProtocolError) in
                // The bytes streamed on come first, as `handle(line:emit:)` promises.
                let answers = InMemoryDataLineAnswers(emit: emit)
                try request.parameters.withUnsafeBufferPointer { parameters throws(LineProtocolError) in
                    let parts = DataLineRequest(
                        version: request.version, session: request.session, token: request.token,
                        parameters: 0..<parameters.count)
                    try dataLine(parts, in: parameters, cache: &inMemoryLineCache, answers: answers)
                }
                return answers.echoed
            }
        }
        guard var session = self.session(request.session) else {
            limit.refusedQuery()
            return Self.result(sessionLimitResult, session: request.session, token: request.token, version: request.version)
        }
        let result: LineFilterResult
        current = (request, nil)
        defer { current = nil }
        do {
            switch request.phase {
            case "connect":
                // 6.6-7.x send `rdns|src`; the manual describes `rdns|fcrdns|src|dest`.
                let fields = request.parameters.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
                    .map { String(decoding: $0, as: UTF8.self) }
                if let rdns = fields.first, session.reverseDNS.isEmpty { session.reverseDNS = rdns }
                let source = fields.count >= 4 ? fields[2] : (fields.count >= 2 ? fields[1] : "")
                if session.source.isEmpty || LineSession.address(of: session.source) == nil { session.source = source }
                track(session)
                result = try onConnect?(session) ?? .proceed
            case "helo": result = try onHELO?(session, request.parameterText) ?? .proceed
            case "ehlo": result = try onEHLO?(session, request.parameterText) ?? .proceed
            case "mail-from": result = try onMailFrom?(session, MailAddress(commandArgument: request.parameterText)) ?? .proceed
            case "rcpt-to": result = try onRcptTo?(session, MailAddress(commandArgument: request.parameterText)) ?? .proceed
            case "data": result = try onData?(session) ?? .proceed
            case "commit":
                let verdict = try onCommit?(session) ?? .proceed
                // Answered with the fallback as a failing callback is (through its promise, if
                // it deferred), so the message is not taken in part.
                if damagedMessages.remove(request.session) != nil { throw DamagedHeldMessage() }
                result = verdict
            default:
                logger.warning("session \(SessionIdentifier.hex(request.session)): unknown phase '\(request.phase)', answered proceed")
                result = .proceed
            }
        } catch {
            logger.error("session \(SessionIdentifier.hex(request.session)): \(request.phase) callback failed (\(error)), answered \(fallback.wireTail)")
            result = fallback
            if let promise = current?.promise {
                promise.send(fallback)
                return []
            }
        }
        if current?.promise != nil { return [] }
        return Self.result(result, session: request.session, token: request.token, version: request.version)
    }

    /// Answers a `data-line` request (`request`, read from `line`): an unchanged line is
    /// echoed with the answer's prefix, everything else (a replaced line, the final `.`, a
    /// held message given up) emitted, in order, through `answers`. `cache` is what the
    /// message's lines share, made again when it is not for this message or stale.
    func dataLine<Answers: DataLineAnswers>(
        _ request: DataLineRequest, in line: UnsafeBufferPointer<UInt8>, cache: inout MessageLineCache?,
        answers: Answers
    ) throws(LineProtocolError) {
        let raw = UnsafeBufferPointer(rebasing: line[request.parameters])
        let sessionChanges = self.sessionChanges, holdChanges = messageHolds.changes
        if cache.map({ !$0.isFor(request, sessionChanges: sessionChanges, holdChanges: holdChanges) }) ?? true {
            cache = messageLineCache(for: request)
        }
        // Unmanaged: `cache` holds the cache for the whole call, and a reference taken from
        // it the usual way was retained and released for every line (see MessageLineCache).
        let message = Unmanaged.passUnretained(cache!)
        let prefix = message._withUnsafeGuaranteedRef { $0.prefix }
        if raw.count == 1 && raw[0] == UInt8(ascii: ".") {
            if let held = message._withUnsafeGuaranteedRef({ $0.held }) {
                return try answers.emit(endOfMessage(held, session: request.session))
            }
            messageComplete(request.session)
            return try answers.echo(prefix, raw)
        }
        let unstuffed = raw.first == UInt8(ascii: ".") ? UnsafeBufferPointer(rebasing: raw.dropFirst()) : raw
        let output: DataLineOutput
        if message._withUnsafeGuaranteedRef({ $0.observer != nil }) {
            let before = message._withUnsafeGuaranteedRef { $0.observer!.observe(unstuffed) }
            output = before.map { .replaced($0 + [DataLine(bytes: Array(unstuffed))]) } ?? .unchanged
        } else if let onDataLine = dataLineCallback {
            do {
                // The lines of a session refused at the bound pass unseen (they must be echoed).
                let cached = message.takeUnretainedValue()
                if cached.trackedSession == nil {
                    cached.trackedSession = session(request.session)
                }
                if let session = cached.trackedSession {
                    output = try onDataLine(session, DataLine(bytes: Array(unstuffed)))
                } else {
                    output = .unchanged
                }
            } catch {
                logger.error("session \(SessionIdentifier.hex(request.session)): data-line callback failed (\(error)), line passed on unchanged")
                output = .unchanged
            }
        } else {
            output = .unchanged
        }
        // The hold entry is taken out only for a held message (it would be retained otherwise).
        if message._withUnsafeGuaranteedRef({ $0.held?.hold != nil }), let held = message._withUnsafeGuaranteedRef({ $0.held }) {
            return try keep(output, raw: raw, in: held, session: request.session, emit: answers.emit)
        }
        switch output {
        case .unchanged:
            try answers.echo(prefix, raw)
        case .dropped:
            break
        case .replaced(let lines):
            var bytes: [UInt8] = []
            for replacement in lines {
                bytes += prefix
                replacement.appendStuffed(to: &bytes)
            }
            try answers.emit(bytes)
        }
    }

    /// What the lines of the message of `request` share, looked up now: the session's
    /// observer (which may track the session) and the message's hold entry (which may begin
    /// it), then the change counts of both tables.
    private func messageLineCache(for request: DataLineRequest) -> MessageLineCache {
        let prefix = Self.prefix("filter-dataline", session: request.session, token: request.token, version: request.version)
        let observer = observerForSession.flatMap { observerFor in session(request.session).flatMap(observerFor) }
        let held = holdsMessageOf == nil && messageHolds.isEmpty ? nil : messageHold(for: request.session, prefix: prefix)
        return MessageLineCache(
            for: request, sessionChanges: sessionChanges, holdChanges: messageHolds.changes,
            prefix: prefix, observer: observer, held: held)
    }

    private func malformed(_ line: [UInt8], _ error: LineMessage.Malformed) throws(LineProtocolError) -> [UInt8] {
        let shown = String(decoding: line.prefix(200), as: UTF8.self)
        if let version = error.version { try check(version, line) }
        guard let session = error.session, let token = error.token else {
            logger.error("malformed line from the daemon (\(error.reason)), ignored: \(shown)")
            return []
        }
        logger.error("malformed request from the daemon (\(error.reason)), answered \(fallback.wireTail): \(shown)")
        return Self.result(fallback, session: session, token: token, version: error.version ?? version ?? .newest)
    }

    private func check(_ lineVersion: LineProtocolVersion, _ line: @autoclosure () -> [UInt8]) throws(LineProtocolError) {
        // Checked already: the version of the line before (every message line asks).
        if lineVersion == lastVersion { return }
        guard lineVersion.major == 0, lineVersion >= .oldest else {
            throw .unsupportedVersion(lineVersion.description, line: String(decoding: line().prefix(200), as: UTF8.self))
        }
        if lineVersion > .newest && !loggedNewerVersion {
            loggedNewerVersion = true
            logger.warning("filter protocol \(lineVersion) is newer than \(LineProtocolVersion.newest); answering as \(LineProtocolVersion.newest)")
        }
        lastVersion = lineVersion
    }

    // MARK: - Encoding

    /// `KIND|SESSION|TOKEN|` (0.5 and later) or `KIND|TOKEN|SESSION|` (0.4).
    static func prefix(_ kind: String, session: UInt64, token: UInt64, version: LineProtocolVersion) -> [UInt8] {
        let first = version.answersWithTokenFirst ? token : session
        let second = version.answersWithTokenFirst ? session : token
        return Array("\(kind)|\(SessionIdentifier.hex(first))|\(SessionIdentifier.hex(second))|".utf8)
    }

    /// The `filter-result` line for `result`.
    static func result(_ result: LineFilterResult, session: UInt64, token: UInt64, version: LineProtocolVersion) -> [UInt8] {
        prefix("filter-result", session: session, token: token, version: version) + Array(result.wireTail.utf8) + [10]
    }
}
