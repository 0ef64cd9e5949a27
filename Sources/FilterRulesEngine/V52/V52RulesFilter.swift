import FilterRules
import Logging
import OpenSMTPD

/// The rules on OpenSMTPD 6.0.x: filter API 52 over fd 0 through the `OpenSMTPD` library.
///
/// Every stage has a callback (so every query is answered by the rules), data lines pass
/// through unchanged while the data rules look at them on the content workers (see
/// ``SessionContentQueue``), and the message's verdict is the answer at the end of message,
/// deferred until its lines were evaluated: the loop answers other sessions meanwhile.
public final class V52RulesFilter {
    /// The library filter that talks to the daemon.
    public let filter: Filter
    private let store: RuleSetStore
    private let logger: Logger
    private let workers: ContentWorkers
    private var sessions: SessionQueues

    /// Creates the filter on `descriptor` (fd 0 under smtpd) with rules from `store`,
    /// message content evaluated on `workers`, DNS lists looked up through `dns`.
    public init(
        store: RuleSetStore, descriptor: Int32 = 0, workers: ContentWorkers = ContentWorkers(), dns: DNSListService? = nil,
        logger: Logger
    ) {
        self.store = store
        self.logger = logger
        self.workers = workers
        self.filter = Filter(descriptor: descriptor, logger: logger)
        self.sessions = SessionQueues { id in SessionContentQueue(id: id, store: store, workers: workers, dns: dns, logger: logger) }
        install()
    }

    /// Registers with the daemon and serves until it closes the channel.
    public func serve() throws {
        try filter.serve()
    }

    /// Number of sessions currently tracked. Engines are made only in the callbacks, which
    /// the library calls only for the sessions it tracks, so this never exceeds
    /// `filter.maximumSessions` (100,000 by default).
    public var sessionCount: Int { sessions.count }

    private func engine(_ session: Session) -> SessionContentQueue { sessions.queue(session.id) }

    /// Answers an envelope query now, or defers it until the step's DNS list lookups are in.
    static func answer(_ session: Session, _ envelope: EnvelopeAnswer) {
        switch envelope {
        case .now(let decision): answer(session, decision)
        case .later(let pending):
            session.deferAnswer()
            pending.whenDecided { answer(session, $0) }
        }
    }

    /// Sends a decision as the v52 answer: reject and tempfail as FILTER_FAIL, disconnect
    /// as FILTER_CLOSE; an accepted held message gets its header lines (`headers`) at its top.
    static func answer(_ session: Session, _ decision: Decision, headers: [DataLine] = []) {
        switch decision.verdict {
        case .accept:
            if headers.isEmpty { session.accept() } else { session.accept(prepending: headers) }
        case .reject, .tempfail:
            session.reject(status: .fail, code: decision.replyToSend.code, line: decision.replyToSend.text)
        case .disconnect:
            session.reject(status: .close, code: decision.replyToSend.code, line: decision.replyToSend.text)
        }
    }

    private func install() {
        filter.onConnect = { [unowned self] session, query in
            let address = query.remote.ip, hostname = query.hostname
            let inputs = (address.map { [(stage: Stage.addr, value: $0)] } ?? []) + [(stage: .connect, value: hostname)]
            Self.answer(session, sessions.start(session.id).envelope(lookingUp: inputs) { $0.connect(address: address, hostname: hostname) })
        }
        filter.onHELO = { [unowned self] session, name in
            Self.answer(session, engine(session).envelope(lookingUp: [(.helo, name)]) { $0.helo(name) })
        }
        filter.onMAIL = { [unowned self] session, user, domain in
            let sender = SessionEngine.address(user: user, domain: domain)
            Self.answer(session, engine(session).envelope(lookingUp: [(.mail, sender)]) { $0.mail(user: user, domain: domain) })
        }
        filter.onRCPT = { [unowned self] session, user, domain in
            Self.answer(session, engine(session).envelope(lookingUp: []) { $0.rcpt(user: user, domain: domain) })
        }
        filter.onDATA = { [unowned self] session in
            Self.answer(session, engine(session).envelope(lookingUp: []) { $0.data() })
        }
        filter.onDataLine = { [unowned self] session, line in
            let queue = engine(session)
            // A message that is not held gets the envelope's junk mark and headers with its
            // first line; a held one gets everything with the end-of-message answer.
            let edits = queue.editsAtFirstLine()
            queue.dataLine(line.bytes)
            guard let edits else { return .unchanged }
            return .replaced(HeaderInsertion.lines(edits.headerLines(), crlf: line.bytes.last == 0x0d) + [line])
        }
        // A message is held when the session's rules can add to it at message stages; the
        // end-of-message answer then writes everything the rules add at its top.
        filter.holdsMessage = { [unowned self] session in
            HeaderInsertion.holds(under: engine(session).ruleSet, limits: &filter.holdLimits)
        }
        filter.onEOM = { [unowned self] session, _ in
            session.deferAnswer()
            let queue = engine(session)
            let held = queue.holdsMessages, crlf = queue.messageUsesCRLF, logger = self.logger
            queue.endOfMessage { decision in
                guard let edits = decision.edits else { return Self.answer(session, decision) }
                if held {
                    Self.answer(session, decision, headers: HeaderInsertion.lines(edits.headerLines(), crlf: crlf))
                } else {
                    HeaderInsertion.logUnwritten(edits.fromMessageStages, session: session.id, logger: logger)
                    Self.answer(session, decision)
                }
            }
        }
        filter.onReset = { [unowned self] session in
            sessions.existing(session.id)?.reset()
        }
        filter.onCommit = { [unowned self] session in
            sessions.existing(session.id)?.transactionEnded()
        }
        filter.onRollback = { [unowned self] session in
            sessions.existing(session.id)?.transactionEnded()
        }
        filter.onDisconnect = { [unowned self] session in
            sessions.end(session.id)
        }
    }
}
