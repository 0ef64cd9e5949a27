import FilterRules
import Logging

/// One SMTP session under the rules, independent of the daemon's protocol: the v52 and
/// line-protocol adapters and the dry-run all drive sessions through this type, so what
/// `test` reports is what `serve` does.
public final class SessionEngine {
    /// The session's id as the daemon names it (hex in logs).
    public let id: UInt64
    /// The evaluator, holding the rule set the session started with.
    public let evaluator: SessionEvaluator
    /// Called for every regex that hits a PCRE2 limit, after the warning is logged (the
    /// dry-run reports them with their step).
    public var onRegexLimitHit: ((RegexLimitHit) -> Void)?
    private let logger: Logger
    /// Where the session's decisions are counted; nil without a metrics endpoint.
    let metrics: EngineMetrics?
    /// The evaluation time of the current message's lines so far (added by the content
    /// queue, batch by batch), for the message's step in ``metrics``.
    var messageLinesNanoseconds: UInt64 = 0

    /// Starts a session with the store's current rule set.
    public init(id: UInt64, store: RuleSetStore, logger: Logger) {
        self.id = id
        self.evaluator = SessionEvaluator(ruleSet: store.ruleSet, stores: store.stores)
        self.logger = logger
        self.metrics = store.metrics
        metrics?.sessionStarted()
        let outcome: RegexLimitHit.Outcome = evaluator.ruleSet.options.failClosed ? .failClosed : .treatedAsNoMatch
        let metrics = self.metrics
        evaluator.onLimitExceeded = { [unowned self] rule, reason in
            let hit = RegexLimitHit(rule: rule, limit: reason, outcome: outcome)
            logger.warning("session \(id.sixteenHexDigits) \(hit)")
            metrics?.regexLimitHit(stage: rule.stage.rawValue)
            onRegexLimitHit?(hit)
        }
        evaluator.onDecodeProblem = { problem, line in
            logger.debug("session \(id.sixteenHexDigits) message line \(line): MIME: \(problem)")
        }
        evaluator.onContentLimit = { exceeded, line, setting in
            logger.warning("session \(id.sixteenHexDigits) message line \(line): \(exceeded): the rules cannot see all of it, set \(setting)")
        }
    }

    deinit { metrics?.sessionEnded() }

    /// The connect query; `fcrdns` is smtpd 6.6+'s forward-confirmed reverse DNS result.
    public func connect(address: String?, hostname: String, fcrdns: String = "") -> Decision {
        step("connect") { $0.connect(address: address, hostname: hostname, fcrdns: fcrdns) }
    }

    /// A `link-auth` report (OpenSMTPD 6.6+); a failed attempt's `authfail` rules are logged
    /// as that step.
    public func authenticated(user: String, result: String) {
        let started = metrics == nil ? 0 : EngineMetrics.now()
        if let decision = evaluator.authenticated(user: user, result: result) { _ = logged("authfail", decision, started: started) }
    }

    /// A `link-tls` report (OpenSMTPD 6.6+).
    public func tls(_ summary: String) { evaluator.tls(summary) }

    /// HELO/EHLO.
    public func helo(_ name: String) -> Decision { step("helo") { $0.helo(name) } }

    /// MAIL FROM, given as user and domain (both empty for the null sender).
    public func mail(user: String, domain: String) -> Decision {
        step("mail") { $0.mail(Self.address(user: user, domain: domain)) }
    }

    /// RCPT TO.
    public func rcpt(user: String, domain: String) -> Decision {
        step("rcpt") { $0.rcpt(Self.address(user: user, domain: domain)) }
    }

    /// DATA.
    public func data() -> Decision { step("data") { $0.data() } }

    /// One line of message data, without its newline.
    public func dataLine(_ line: [UInt8]) { evaluator.dataLine(line) }

    /// One line of message data, without its newline, lent for the call.
    public func dataLine(_ line: UnsafeBufferPointer<UInt8>) { evaluator.dataLine(line) }

    /// The end of the message.
    public func endOfMessage() -> Decision { step("message") { $0.endOfMessage() } }

    /// RSET.
    public func reset() {
        evaluator.reset()
        messageLinesNanoseconds = 0
    }

    /// What the envelope so far adds to the transaction's message.
    public var envelopeEdits: MessageEdits { evaluator.envelopeEdits }

    /// Commit or rollback.
    public func transactionEnded() { evaluator.transactionEnded() }

    /// `user@domain`, `user` without a domain, `<>` for the null sender.
    public static func address(user: String, domain: String) -> String {
        if user.isEmpty && domain.isEmpty { return "<>" }
        if domain.isEmpty { return user }
        return "\(user)@\(domain)"
    }

    /// Evaluates `step` (named `name`), timed when there are metrics, and logs and counts
    /// its decision.
    private func step(_ name: String, _ evaluate: (SessionEvaluator) -> Decision) -> Decision {
        let started = metrics == nil ? 0 : EngineMetrics.now()
        return logged(name, evaluate(evaluator), started: started)
    }

    /// Logs every decision that is not a plain accept (see ``DecisionLogLine``): refusals
    /// at notice level, accepts by a rule at debug level.
    /// Junk and add-header matches are logged at info level, warn matches and refusals
    /// report-only mode held back (`would reject`) at notice level.
    private func logged(_ step: String, _ decision: Decision, started: UInt64) -> Decision {
        // A step that waits for a remote store is evaluated again: logged once it is complete.
        guard evaluator.pendingStoreCall == nil else { return decision }
        if let metrics {
            // A message's time is that of its lines too.
            let lines = step == "message" ? messageLinesNanoseconds : 0
            metrics.decided(decision, step: step, mode: evaluator.ruleSet.options.mode, nanoseconds: EngineMetrics.now() &- started &+ lines)
            if step == "message" {
                metrics.messageEnded(decision)
                messageLinesNanoseconds = 0
            }
        }
        for mark in decision.marks {
            let line = DecisionLogLine.text(session: id, mark: mark)
            if mark.kind == .warn { logger.notice("\(line)") } else { logger.info("\(line)") }
        }
        if let withheld = decision.withheld {
            logger.notice("\(DecisionLogLine.text(session: id, step: step, withheld: withheld))")
        }
        guard let line = DecisionLogLine.text(session: id, step: step, decision: decision) else { return decision }
        if decision.isAccept {
            logger.debug("\(line)")
        } else {
            logger.notice("\(line)")
        }
        return decision
    }
}
