import FilterRules
import Logging
import OpenSMTPD

/// The rules on OpenSMTPD 6.6 and later: the line protocol on stdin/stdout through the
/// `OpenSMTPD` library's ``LineFilter``, driving the same ``SessionEngine`` as the v52
/// adapter and the dry-run.
///
/// Every envelope phase is registered whatever the rules need, answered proceed when no
/// rule decides, so a reload can add envelope rules; the content phases only as
/// ``LineRegistration`` decides at start. Message lines are echoed byte for byte at once
/// while the data rules look at them on the content workers (see ``SessionContentQueue``),
/// and the message's verdict is the answer at `commit`, deferred until its lines were
/// evaluated: the loop answers other sessions meanwhile.
public final class LineRulesFilter {
    /// The library filter that talks to the daemon.
    public let filter: LineFilter
    /// What is registered with smtpd, decided at start.
    public let registration: LineRegistration
    private let store: RuleSetStore
    private let logger: Logger
    private let workers: ContentWorkers
    private var sessions: SessionQueues
    /// The verdicts of messages being decided from their final dot on, waiting for `commit`.
    private var verdicts: [UInt64: MessageVerdict] = [:]

    /// Creates the filter on `input`/`output` (stdin/stdout under smtpd) with rules from
    /// `store`, registering the content phases as `contentPhases` says, message content
    /// evaluated on `workers`.
    public init(
        store: RuleSetStore, contentPhases: ContentPhases = .auto, input: Int32 = 0, output: Int32 = 1,
        workers: ContentWorkers = ContentWorkers(), dns: DNSListService? = nil, logger: Logger
    ) {
        self.store = store
        self.logger = logger
        self.workers = workers
        self.filter = LineFilter(input: input, output: output, logger: logger)
        self.sessions = SessionQueues { id in SessionContentQueue(id: id, store: store, workers: workers, dns: dns, logger: logger) }
        self.registration = LineRegistration(ruleSet: store.ruleSet, contentPhases: contentPhases)
        install()
    }

    /// Answers the daemon until it closes the channel.
    public func serve() throws(LineProtocolError) {
        try filter.serve()
    }

    /// Number of sessions currently tracked. Engines are made only in the callbacks, which
    /// the library calls only for the sessions it tracks, so this never exceeds
    /// `filter.maximumSessions` (100,000 by default): at the bound a new session is refused
    /// with 421 by the library and costs no engine.
    public var sessionCount: Int { sessions.count }

    /// A decision as the line protocol's answer: an envelope step that matched a junk rule
    /// is answered `junk` (smtpd then writes `X-Spam: Yes` itself); smtpd refuses `junk`
    /// at commit, so the message's own junk is written by the filter instead.
    static func result(_ decision: Decision, atCommit: Bool = false) -> LineFilterResult {
        switch decision.verdict {
        case .accept: return decision.isJunk && !atCommit ? .junk : .proceed
        case .reject, .tempfail: return .reject(code: decision.replyToSend.code, text: decision.replyToSend.text)
        case .disconnect: return .disconnect(code: decision.replyToSend.code, text: decision.replyToSend.text)
        }
    }

    /// The answer to an envelope request: the decision now, or a deferred answer sent once
    /// the step's DNS list lookups are in.
    private func answer(_ envelope: EnvelopeAnswer) -> LineFilterResult {
        switch envelope {
        case .now(let decision): return Self.result(decision)
        case .later(let pending):
            let answer = filter.deferAnswer()
            pending.whenDecided { answer.send(Self.result($0)) }
            return .proceed  // not sent: the deferred answer is
        }
    }

    /// The session's engine, started with the store's current rules when it is new.
    private func engine(_ id: UInt64) -> SessionContentQueue { sessions.queue(id) }

    private func install() {
        // The session takes the rules in force when it begins.
        filter.onLinkConnect = { [unowned self] session in _ = engine(session.id) }
        filter.onLinkDisconnect = { [unowned self] session in
            sessions.end(session.id)
            verdicts[session.id] = nil
        }
        // The end of a transaction (RSET, or after a message) also readies the next message's scan.
        filter.onTransactionReset = { [unowned self] session in
            sessions.existing(session.id)?.reset()
        }
        filter.onConnect = { [unowned self] session in
            let address = session.clientAddress, hostname = session.reverseDNS, fcrdns = session.forwardConfirmed
            let inputs = [(Stage.addr, address ?? ""), (.connect, hostname)].filter { $0.0 != .addr || address != nil }
            return answer(
                engine(session.id).envelope(lookingUp: inputs.map { (stage: $0.0, value: $0.1) }) {
                    $0.connect(address: address, hostname: hostname, fcrdns: fcrdns)
                })
        }
        if registration.includesSessionFacts {
            filter.onLinkAuth = { [unowned self] session, user, result in
                engine(session.id).sessionFact { $0.authenticated(user: user, result: result) }
            }
            filter.onLinkTLS = { [unowned self] session, summary in
                engine(session.id).sessionFact { $0.tls(summary) }
            }
        }
        filter.onHELO = { [unowned self] session, name in
            answer(engine(session.id).envelope(lookingUp: [(.helo, name)]) { $0.helo(name) })
        }
        filter.onEHLO = { [unowned self] session, name in
            answer(engine(session.id).envelope(lookingUp: [(.helo, name)]) { $0.helo(name) })
        }
        filter.onMailFrom = { [unowned self] session, address in
            let user = address.user, domain = address.domain
            return answer(
                engine(session.id).envelope(lookingUp: [(.mail, SessionEngine.address(user: user, domain: domain))]) {
                    $0.mail(user: user, domain: domain)
                })
        }
        filter.onRcptTo = { [unowned self] session, address in
            let user = address.user, domain = address.domain
            return answer(engine(session.id).envelope(lookingUp: []) { $0.rcpt(user: user, domain: domain) })
        }
        if registration.includesContent {
            // The message scan starts fresh without a DATA phase: the evaluator readies it at
            // the end of each message and at every transaction reset.
            // Lines are read in place by the session's queue (SessionContentQueue+DataLineObserver).
            filter.dataLineObserver = { [unowned self] session in engine(session.id) }
            // A message is held when the session's rules can add to it at message stages: it
            // is decided at its final dot, written with its headers, and answered at commit.
            filter.holdsMessage = { [unowned self] session in
                HeaderInsertion.holds(under: engine(session.id).ruleSet, limits: &filter.holdLimits)
            }
            filter.onMessageEnd = { [unowned self] session, release in
                let verdict = MessageVerdict()
                verdicts[session.id] = verdict
                engine(session.id).endOfMessage { decision in
                    verdict.decided(decision)
                    let lines = decision.edits?.headerLines(junkWrittenBySMTPD: true) ?? []
                    release.release(prepending: lines.map { DataLine($0) })
                }
            }
            // Any other message is decided from its dot on as well: its last lines are then
            // evaluated while the dot's echo and smtpd's `commit` travel (filter-bench line:
            // `commit` took 115–170 µs against the echo filter's 45–60 when it started there).
            filter.onMessageComplete = { [unowned self] session in
                let verdict = MessageVerdict()
                verdicts[session.id] = verdict
                let logger = self.logger
                engine(session.id).endOfMessage { decision in
                    if let edits = decision.edits {
                        HeaderInsertion.logUnwritten(edits.fromMessageStages, session: session.id, logger: logger)
                    }
                    verdict.decided(decision)
                }
            }
            filter.onCommit = { [unowned self] session in
                if let verdict = verdicts.removeValue(forKey: session.id) {
                    let decision = verdict.commit(deferring: { filter.deferAnswer() })
                    return decision.map { Self.result($0, atCommit: true) } ?? .proceed  // nil: deferred
                }
                // No dot was seen (not expected of smtpd): the message is decided now.
                let answer = filter.deferAnswer()
                let queue = engine(session.id), logger = self.logger
                queue.endOfMessage { decision in
                    if let edits = decision.edits {
                        HeaderInsertion.logUnwritten(edits.fromMessageStages, session: session.id, logger: logger)
                    }
                    answer.send(Self.result(decision, atCommit: true))
                }
                return .proceed  // not sent: the deferred answer is
            }
        }
    }
}
