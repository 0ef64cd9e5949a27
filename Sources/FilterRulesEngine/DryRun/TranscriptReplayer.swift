import FilterRules
import Logging

/// Replays a transcript through a ``SessionEngine`` the way smtpd would drive a filter:
/// a refused connection ends the session, RCPT needs an accepted MAIL, DATA needs a
/// recipient, the message gets smtpd's `Received:` header first, a disconnect ends it all.
/// Each step's report names the input that decided it and the regexes that hit a PCRE2
/// limit on the way.
public struct TranscriptReplayer {
    private let store: RuleSetStore
    private let logger: Logger
    private let dns: BlockingListLookups?
    /// The run's clock, moved on by the transcripts; nil: time does not move.
    private let clock: DryRunClock?

    /// Creates a replayer over the rules in `store`, looking DNS lists up through `dns`
    /// (without, no `listed` term matches).
    public init(
        store: RuleSetStore, dns: BlockingListLookups? = nil, clock: DryRunClock? = nil, logger: Logger = Logger(label: "filter-rules.test")
    ) {
        self.store = store
        self.dns = dns
        self.clock = clock
        self.logger = logger
    }

    /// The DNS list results for `inputs`, given to `engine` for its next step, as the
    /// report shows them.
    private func lookUp(_ inputs: [(stage: Stage, value: String)], for engine: SessionEngine) -> [String] {
        dns?.resolve(inputs, for: engine) ?? []
    }

    /// Replays one transcript and checks its expectations.
    public func replay(_ transcript: Transcript, sessionID: UInt64 = 1) -> TranscriptReport {
        clock?.advance(by: transcript.startsAfter)
        let engine = SessionEngine(id: sessionID, store: store, logger: logger)
        var limitHits: [RegexLimitHit] = []
        engine.onRegexLimitHit = { limitHits.append($0) }
        /// The hits since the last step's report.
        func takeLimitHits() -> [RegexLimitHit] {
            defer { limitHits = [] }
            return limitHits
        }
        var steps: [StepReport] = []
        var closedBecause: String?
        var heloName = transcript.hostname
        var heloAccepted = false
        var inTransaction = false
        var recipients: [String] = []
        var dataAccepted = false

        let connectLookups = lookUp([(.addr, transcript.address), (.connect, transcript.hostname)], for: engine)
        let connect = engine.connect(address: transcript.address, hostname: transcript.hostname)
        steps.append(
            report(
                "connect", line: 0, input: "\(transcript.address) \(transcript.hostname)",
                .answered(connect), transcript.connectExpectation, recorded: transcript.connectRecordedReply,
                limits: takeLimitHits(), dnsLookups: connectLookups))
        if !connect.isAccept { closedBecause = "the connection was refused" }

        for step in transcript.steps {
            guard let name = step.kind.stepName else {
                if case .wait(let amount) = step.kind { clock?.advance(by: amount) }
                if step.kind == .reset, closedBecause == nil {
                    engine.reset()
                    inTransaction = false
                    dataAccepted = false
                }
                if step.kind == .quit, closedBecause == nil { closedBecause = "the client quit" }
                continue
            }
            let outcome: Outcome
            var input = ""
            var stepLookups: [String] = []
            var receivedLines = 0
            if let closedBecause {
                outcome = .notReached(closedBecause)
            } else {
                switch step.kind {
                case .helo(let argument):
                    input = argument
                    stepLookups = lookUp([(.helo, argument)], for: engine)
                    let decision = engine.helo(argument)
                    if decision.isAccept { heloName = argument; heloAccepted = true }
                    outcome = .answered(decision)
                case .mail(let address):
                    input = address.isEmpty ? "<>" : address
                    guard heloAccepted else {
                        steps.append(
                            report(
                                name.rawValue, line: step.line, input: input,
                                .notReached("smtpd refuses MAIL before an accepted HELO/EHLO"), step.expectation,
                                recorded: step.recordedReply))
                        continue
                    }
                    let (user, domain) = Self.split(address)
                    stepLookups = lookUp([(.mail, SessionEngine.address(user: user, domain: domain))], for: engine)
                    let decision = engine.mail(user: user, domain: domain)
                    inTransaction = decision.isAccept
                    recipients = []
                    dataAccepted = false
                    outcome = .answered(decision)
                case .rcpt(let address):
                    input = address
                    if !inTransaction {
                        outcome = .notReached("smtpd refuses RCPT without an accepted MAIL")
                    } else {
                        let (user, domain) = Self.split(address)
                        let decision = engine.rcpt(user: user, domain: domain)
                        if decision.isAccept { recipients.append(address) }
                        outcome = .answered(decision)
                    }
                case .data:
                    if !inTransaction || recipients.isEmpty {
                        outcome = .notReached("smtpd refuses DATA without an accepted recipient")
                    } else {
                        let decision = engine.data()
                        dataAccepted = decision.isAccept
                        outcome = .answered(decision)
                    }
                case .message(let lines):
                    input = "\(lines.count) lines"
                    if !dataAccepted {
                        outcome = .notReached("the message was not sent: DATA was not accepted")
                    } else {
                        let received = Self.receivedHeader(helo: heloName, transcript: transcript, recipients: recipients)
                        for line in received { engine.dataLine(Array(line.utf8)) }
                        receivedLines = received.count
                        for line in lines { engine.dataLine(line) }
                        stepLookups = dns?.resolveMessage(for: engine) ?? []
                        outcome = .answered(engine.endOfMessage())
                        inTransaction = false
                        dataAccepted = false
                        engine.transactionEnded()
                    }
                default:
                    continue
                }
            }
            if case .answered(let decision) = outcome {
                if decision.verdict == .disconnect { closedBecause = "the session was disconnected at \(name.rawValue)" }
                if name == .mail, !decision.isAccept { engine.transactionEnded() }
            }
            steps.append(
                report(
                    name.rawValue, line: step.line, input: input, outcome, step.expectation,
                    recorded: step.recordedReply, limits: takeLimitHits(), messageLineOffset: receivedLines,
                    dnsLookups: stepLookups))
        }
        var report = TranscriptReport(name: transcript.name, address: transcript.address, hostname: transcript.hostname, steps: steps)
        report.startsAfter = transcript.startsAfter
        return report
    }

    /// A step's result.
    enum Outcome {
        case answered(Decision)
        case notReached(String)
    }

    /// A step's report; `messageLineOffset` is the number of lines smtpd put before the
    /// client's message (its `Received:` header).
    private func report(
        _ step: String, line: Int, input: String, _ outcome: Outcome,
        _ expectation: Transcript.Expectation?, recorded: Transcript.RecordedReply?,
        limits: [RegexLimitHit] = [], messageLineOffset: Int = 0, dnsLookups: [String] = []
    ) -> StepReport {
        var report = StepReport(step: step, line: line, input: input, answer: "not-reached")
        report.dnsLookups = dnsLookups
        switch outcome {
        case .answered(let decision):
            report.answer = decision.verdict.rawValue
            report.code = decision.reply?.code
            report.text = decision.reply?.text
            report.rule = decision.rule?.location.fileAndLine
            report.ruleSource = decision.rule?.source
            report.matched = (decision.matchedInput ?? decision.withheld?.matchedInput)
                .map { Self.report(of: $0, messageLineOffset: messageLineOffset) }
            report.note = decision.reason
            if let withheld = decision.withheld {
                report.wouldAnswer = WithheldReport(
                    answer: withheld.verdict.rawValue, code: withheld.reply?.code,
                    text: withheld.reply?.text, rule: withheld.rule?.location.fileAndLine)
            }
            report.marks = decision.marks.map { "\($0) (\($0.rule.location.fileAndLine))" }
            report.score = decision.score?.description
            report.addedHeaders = decision.edits?.headerLines() ?? []
        case .notReached(let why):
            report.note = why
        }
        report.regexLimits = limits.map(RegexLimitReport.init)
        report.recordedReply = recorded?.description
        if let expectation {
            report.expected = expectation.outcome.rawValue + (expectation.code.map { " \($0)" } ?? "")
            report.expectationSource = expectation.source.rawValue
            report.expectationHeld = Self.holds(expectation, report)
        }
        return report
    }

    /// Whether the step's answer is the expected one. A recorded refusal of a step the
    /// dry-run did not reach holds: smtpd refused it itself, after an earlier refusal.
    private static func holds(_ expectation: Transcript.Expectation, _ report: StepReport) -> Bool {
        if expectation.source == .recordedReply, report.answer == "not-reached" {
            return expectation.outcome != .accept
        }
        // In report-only mode the expectation is about what would have happened.
        let answer = report.wouldAnswer?.answer ?? report.answer
        let code = report.wouldAnswer.map { $0.code } ?? report.code
        return answer == expectation.outcome.rawValue
            && (expectation.code == nil || expectation.code == code || (expectation.outcome == .accept && code == nil))
    }

    /// The report of a decision's input; message lines counted from the client's first line.
    private static func report(of input: MatchedInput, messageLineOffset: Int) -> MatchedInputReport {
        let excerpt = InputExcerpt(input.bytes)
        let line = input.messageLine.map { $0 - messageLineOffset }.flatMap { $0 > 0 ? $0 : nil }
        return MatchedInputReport(
            stage: input.stage.rawValue, messageLine: line, text: excerpt.escaped,
            length: excerpt.byteCount, truncated: excerpt.isTruncated)
    }

    /// Splits `user@domain` at the last `@`.
    static func split(_ address: String) -> (user: String, domain: String) {
        guard let at = address.lastIndex(of: "@") else { return (address, "") }
        return (String(address[..<at]), String(address[address.index(after: at)...]))
    }

    /// The `Received:` header smtpd writes before the client's message, as folded lines.
    static func receivedHeader(helo: String, transcript: Transcript, recipients: [String]) -> [String] {
        var lines = [
            "Received: from \(helo) (\(transcript.hostname) [\(transcript.address)])",
            "\tby dry-run.invalid (filter-rules test) with ESMTP id 00000000",
        ]
        if recipients.count == 1 { lines.append("\tfor <\(recipients[0])>;") } else { lines[1] += ";" }
        lines.append("\tThu, 1 Jan 1970 00:00:00 +0000")
        return lines
    }
}
