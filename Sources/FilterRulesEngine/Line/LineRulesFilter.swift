import FilterRules
import Logging
import OpenSMTPD

/// The rules on OpenSMTPD 6.6 and later: the line protocol on stdin/stdout through the
/// `OpenSMTPD` library's ``LineFilter``, driving the same ``SessionEngine`` as the v52
/// adapter and the dry-run.
///
/// Only the phases the rules at start need are registered (see ``LinePhases``); message
/// lines are echoed byte for byte while the data rules look at them, and the message's
/// verdict is the answer at `commit`.
public final class LineRulesFilter {
    /// The library filter that talks to the daemon.
    public let filter: LineFilter
    /// The stages whose phases were registered at start.
    public let registeredStages: Set<Stage>
    private let store: RuleSetStore
    private let logger: Logger
    private var sessions: [UInt64: SessionEngine] = [:]
    private var inMessage: Set<UInt64> = []

    /// Creates the filter on `input`/`output` (stdin/stdout under smtpd) with rules from `store`.
    public init(store: RuleSetStore, input: Int32 = 0, output: Int32 = 1, logger: Logger) {
        self.store = store
        self.logger = logger
        self.filter = LineFilter(input: input, output: output, logger: logger)
        self.registeredStages = LinePhases.stages(usedBy: store.ruleSet)
        install()
    }

    /// Answers the daemon until it closes the channel.
    public func serve() throws(LineProtocolError) {
        try filter.serve()
    }

    /// Number of sessions currently tracked.
    public var sessionCount: Int { sessions.count }

    /// Stages used by the store's current rules whose phases were not registered at start:
    /// their rules cannot take effect until smtpd restarts the filter.
    public var unregisteredStages: [Stage] {
        LinePhases.stages(usedBy: store.ruleSet).subtracting(registeredStages).sorted { $0.rawValue < $1.rawValue }
    }

    /// A decision as the line protocol's answer.
    static func result(_ decision: Decision) -> LineFilterResult {
        switch decision.verdict {
        case .accept:
            return .proceed
        case .reject, .tempfail:
            let reply = decision.reply ?? Reply(code: decision.verdict == .reject ? 550 : 451, text: "")
            return .reject(code: reply.code, text: reply.text)
        case .disconnect:
            let reply = decision.reply ?? Reply(code: 421, text: "")
            return .disconnect(code: reply.code, text: reply.text)
        }
    }

    private func engine(_ session: LineSession) -> SessionEngine {
        if let engine = sessions[session.id] { return engine }
        let engine = SessionEngine(id: session.id, store: store, logger: logger)
        sessions[session.id] = engine
        return engine
    }

    private func install() {
        let stages = registeredStages
        let connectRegistered = stages.contains(.connect) || stages.contains(.addr)
        filter.onLinkConnect = { [unowned self] session in
            let engine = SessionEngine(id: session.id, store: store, logger: logger)
            sessions[session.id] = engine
            // Without the connect phase the connection is not up for decision, but an
            // `accept session` by address must still cover the later stages.
            if !connectRegistered { _ = engine.connect(address: session.clientAddress, hostname: session.reverseDNS) }
        }
        filter.onLinkDisconnect = { [unowned self] session in
            sessions[session.id] = nil
            inMessage.remove(session.id)
        }
        filter.onTransactionReset = { [unowned self] session in
            sessions[session.id]?.reset()
            inMessage.remove(session.id)
        }
        if connectRegistered {
            filter.onConnect = { [unowned self] session in
                Self.result(engine(session).connect(address: session.clientAddress, hostname: session.reverseDNS))
            }
        }
        if stages.contains(.helo) {
            filter.onHELO = { [unowned self] session, name in Self.result(engine(session).helo(name)) }
            filter.onEHLO = { [unowned self] session, name in Self.result(engine(session).helo(name)) }
        }
        if stages.contains(.mail) {
            filter.onMailFrom = { [unowned self] session, address in
                Self.result(engine(session).mail(user: address.user, domain: address.domain))
            }
        }
        if stages.contains(.rcpt) {
            filter.onRcptTo = { [unowned self] session, address in
                Self.result(engine(session).rcpt(user: address.user, domain: address.domain))
            }
        }
        if !stages.isDisjoint(with: [.header, .body, .dataline]) {
            filter.onDataLine = { [unowned self] session, line in
                let engine = engine(session)
                if inMessage.insert(session.id).inserted { _ = engine.data() }
                engine.dataLine(line.bytes)
                return .unchanged
            }
            filter.onCommit = { [unowned self] session in
                inMessage.remove(session.id)
                return Self.result(engine(session).endOfMessage())
            }
        }
    }
}
