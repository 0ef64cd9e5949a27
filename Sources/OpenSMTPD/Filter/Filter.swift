import Logging

/// An OpenSMTPD filter speaking filter API 52 on a descriptor (fd 0 by default).
///
/// Set the callbacks for the stages you care about, then call ``serve()``. Every query the
/// daemon sends gets exactly one response: stages without a callback are accepted, and a
/// callback that throws or returns without answering gets the ``fallback`` answer.
///
/// ```swift
/// let filter = Filter()
/// filter.onHELO = { session, name in
///     name == "test" ? session.reject(status: .fail, code: 550) : session.accept()
/// }
/// try filter.serve()
/// ```
///
/// Callbacks run on the thread that called ``serve()``, one at a time.
public final class Filter {
    /// A client connected (QUERY_CONNECT).
    public var onConnect: ((Session, ConnectQuery) throws -> Void)?
    /// HELO or EHLO (QUERY_HELO), with the name the client gave.
    public var onHELO: ((Session, String) throws -> Void)?
    /// MAIL FROM (QUERY_MAIL), with the sender's user and domain (both empty for `<>`).
    public var onMAIL: ((Session, String, String) throws -> Void)?
    /// RCPT TO (QUERY_RCPT), with the recipient's user and domain.
    public var onRCPT: ((Session, String, String) throws -> Void)?
    /// DATA (QUERY_DATA).
    public var onDATA: ((Session) throws -> Void)?
    /// One line of message data; the returned output is written to the daemon. Setting it
    /// registers HOOK_DATALINE, which routes message data through the filter.
    public var onDataLine: ((Session, DataLine) throws -> DataLineOutput)?
    /// End of message (QUERY_EOM), with the daemon's byte count. When data flows through
    /// the filter this runs after the whole message has been read.
    public var onEOM: ((Session, UInt32) throws -> Void)?
    /// The client sent RSET (event, no answer).
    public var onReset: ((Session) throws -> Void)?
    /// The session ended (event, no answer).
    public var onDisconnect: ((Session) throws -> Void)?
    /// A transaction began (event, no answer).
    public var onTransactionBegin: ((Session) throws -> Void)?
    /// A message was accepted (event, no answer).
    public var onCommit: ((Session) throws -> Void)?
    /// A transaction was abandoned (event, no answer).
    public var onRollback: ((Session) throws -> Void)?

    /// The filter's name from smtpd.conf, known after registration.
    public internal(set) var name: String?
    /// The daemon's filter API version, known after registration.
    public internal(set) var version: UInt32?
    /// Flags sent at registration (0 unless you know better).
    public var flags: Int32 = 0
    /// The answer sent when a callback fails to answer.
    public var fallback: FallbackAnswer = .temporaryFailure
    /// How long a deferred answer may take before the fallback is sent.
    public var deferredAnswerTimeout: Duration = .seconds(60)
    /// Longest data line shown to ``onDataLine``; longer lines pass through unchanged.
    public var maximumLineLength = 1 << 20
    /// Whether to hold a message's output until its EOM answer, asked once per message when
    /// its data pipe opens (on the thread running ``serve()``). For a held message,
    /// ``onDataLine`` still runs for every line, but what it returns is kept back instead of
    /// being written; the EOM answer then releases it, after the lines given to
    /// ``Session/accept(prepending:)`` (see ``holdLimits``). Setting it registers
    /// HOOK_DATALINE, like ``onDataLine``.
    public var holdsMessage: ((Session) -> Bool)?
    /// How much of a held message is kept in memory, where the rest spills, the largest
    /// message held, and the most all held messages take at once (a message over either is
    /// passed on untagged, with a warning).
    public var holdLimits = MessageHoldLimits()
    /// Most sessions tracked at once. At the bound no session is evicted: a new session is
    /// not tracked, its queries get ``sessionLimitAnswer`` without reaching the callbacks
    /// (its message data bypasses the filter), its events are dropped, and the episode is
    /// logged. An idle session costs the library about 130 bytes.
    public var maximumSessions = defaultMaximumSessions
    /// The answer to the queries of a session refused at ``maximumSessions``: 421 and a
    /// disconnect by default.
    public var sessionLimitAnswer: FallbackAnswer = .tooManySessions
    /// Where the library logs. Bootstrap swift-log to stderr in a filter program.
    public var logger: Logger

    private let descriptor: Int32
    private var loop: FilterEventLoop?

    /// Creates a filter on `descriptor`, the daemon's channel (fd 0 for a real filter).
    public init(descriptor: Int32 = 0, logger: Logger = Logger(label: "opensmtpd.filter")) {
        self.descriptor = descriptor
        self.logger = logger
    }

    /// The hooks announced at registration: one per callback that is set.
    public var hooks: FilterHooks {
        var hooks: FilterHooks = []
        if onConnect != nil { hooks.insert(.connect) }
        if onHELO != nil { hooks.insert(.helo) }
        if onMAIL != nil { hooks.insert(.mail) }
        if onRCPT != nil { hooks.insert(.rcpt) }
        if onDATA != nil { hooks.insert(.data) }
        if onEOM != nil { hooks.insert(.eom) }
        if onReset != nil { hooks.insert(.reset) }
        if onDisconnect != nil { hooks.insert(.disconnect) }
        if onCommit != nil { hooks.insert(.commit) }
        if onRollback != nil { hooks.insert(.rollback) }
        if onDataLine != nil || holdsMessage != nil { hooks.insert(.dataLine) }
        return hooks
    }

    /// Waits for the daemon's REGISTER message and answers it with ``hooks`` and ``flags``.
    ///
    /// - Throws: ``ProtocolError`` (including a version other than ``FilterVersion``) or
    ///   ``TransportError``.
    public func register() throws {
        try eventLoop().register()
    }

    /// Registers if needed, then answers the daemon until it closes the channel, and returns.
    ///
    /// The daemon closes the channel by ending its input at a frame boundary, by resetting
    /// it (ECONNRESET), or by no longer reading it (EPIPE or ECONNRESET when an answer is
    /// written): all three return normally, whether or not answers or messages were still
    /// pending (what was lost is logged). The library never raises SIGPIPE and does not
    /// change the process's signal dispositions.
    ///
    /// - Throws: ``ProtocolError`` for malformed input from the daemon (including input
    ///   that ends inside a frame), ``TransportError`` when the channel fails otherwise. The
    ///   filter cannot go on after either.
    public func serve() throws {
        try eventLoop().serve()
    }

    private func eventLoop() throws -> FilterEventLoop {
        if let loop { return loop }
        let created = try FilterEventLoop(filter: self, descriptor: descriptor)
        loop = created
        return created
    }
}
