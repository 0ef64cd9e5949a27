import FilterRules
import Logging
import OpenSMTPD

/// The rules on OpenSMTPD 6.6 and later: the line protocol on stdin/stdout through the
/// `OpenSMTPD` library's ``LineFilter``, driving the same ``SessionEngine`` as the v52
/// adapter and the dry-run.
///
/// Only the phases the rules at start need are registered (see ``LinePhases``); message
/// lines are echoed byte for byte while the data rules look at them, and the message's
/// verdict is the answer at `commit`. smtpd takes the registration once, so when a session
/// starts with reloaded rules that need a phase not registered, that is logged (once per
/// rule set): those rules take effect when smtpd restarts the filter.
public final class LineRulesFilter {
    /// The library filter that talks to the daemon.
    public let filter: LineFilter
    /// The stages whose phases were registered at start.
    public let registeredStages: Set<Stage>
    private let store: RuleSetStore
    private let logger: Logger
    private var sessions: [UInt64: SessionEngine] = [:]
    private var checkedRuleSet: ObjectIdentifier

    /// Creates the filter on `input`/`output` (stdin/stdout under smtpd) with rules from `store`.
    public init(store: RuleSetStore, input: Int32 = 0, output: Int32 = 1, logger: Logger) {
        self.store = store
        self.logger = logger
        self.filter = LineFilter(input: input, output: output, logger: logger)
        let ruleSet = store.ruleSet
        self.registeredStages = LinePhases.stages(usedBy: ruleSet)
        self.checkedRuleSet = ObjectIdentifier(ruleSet)
        install()
    }

    /// Answers the daemon until it closes the channel.
    public func serve() throws(LineProtocolError) {
        try filter.serve()
    }

    /// Number of sessions currently tracked.
    public var sessionCount: Int { sessions.count }

    /// A decision as the line protocol's answer.
    static func result(_ decision: Decision) -> LineFilterResult {
        switch decision.verdict {
        case .accept: return .proceed
        case .reject, .tempfail: return .reject(code: decision.replyToSend.code, text: decision.replyToSend.text)
        case .disconnect: return .disconnect(code: decision.replyToSend.code, text: decision.replyToSend.text)
        }
    }

    /// The session's engine, started with the store's current rules when it is new.
    private func engine(_ id: UInt64) -> SessionEngine {
        if let engine = sessions[id] { return engine }
        let engine = SessionEngine(id: id, store: store, logger: logger)
        sessions[id] = engine
        reportUnregisteredStages(of: engine.evaluator.ruleSet)
        return engine
    }

    private func reportUnregisteredStages(of ruleSet: CompiledRuleSet) {
        guard ObjectIdentifier(ruleSet) != checkedRuleSet else { return }
        checkedRuleSet = ObjectIdentifier(ruleSet)
        let missing = LinePhases.stages(usedBy: ruleSet).subtracting(registeredStages)
        for stage in Stage.allCases where missing.contains(stage) {
            let phases = LinePhases.phases(for: stage).joined(separator: "/")
            logger.warning("\(stage) rules need the \(phases) phase, which was not registered with smtpd at start: they take effect when smtpd restarts the filter")
        }
    }

    private func install() {
        let stages = registeredStages
        let connectRegistered = stages.contains(.connect) || stages.contains(.addr)
        filter.onLinkConnect = { [unowned self] session in
            let engine = engine(session.id)
            // Without the connect phase the connection is not up for decision, but an
            // `accept session` by address must still cover the later stages.
            if !connectRegistered { _ = engine.connect(address: session.clientAddress, hostname: session.reverseDNS) }
        }
        filter.onLinkDisconnect = { [unowned self] session in
            sessions[session.id] = nil
        }
        // The end of a transaction (RSET, or after a message) also readies the next message's scan.
        filter.onTransactionReset = { [unowned self] session in
            sessions[session.id]?.reset()
        }
        if connectRegistered {
            filter.onConnect = { [unowned self] session in
                Self.result(engine(session.id).connect(address: session.clientAddress, hostname: session.reverseDNS))
            }
        }
        if stages.contains(.helo) {
            filter.onHELO = { [unowned self] session, name in Self.result(engine(session.id).helo(name)) }
            filter.onEHLO = { [unowned self] session, name in Self.result(engine(session.id).helo(name)) }
        }
        if stages.contains(.mail) {
            filter.onMailFrom = { [unowned self] session, address in
                Self.result(engine(session.id).mail(user: address.user, domain: address.domain))
            }
        }
        if stages.contains(.rcpt) {
            filter.onRcptTo = { [unowned self] session, address in
                Self.result(engine(session.id).rcpt(user: address.user, domain: address.domain))
            }
        }
        if !stages.isDisjoint(with: [.header, .body, .dataline]) {
            // The message scan starts fresh without a DATA phase: the evaluator readies it at
            // the end of each message and at every transaction reset.
            filter.onDataLine = { [unowned self] session, line in
                engine(session.id).dataLine(line.bytes)
                return .unchanged
            }
            filter.onCommit = { [unowned self] session in
                Self.result(engine(session.id).endOfMessage())
            }
        }
    }
}
