import MIMEStream

/// The decoded stages: each message line goes through the message's ``MIMEStream``, and
/// what it finds goes to the `header` (decoded headers), `body` (decoded text),
/// `attachment` (file names) and `mimetype` (media types) rules. `dataline` rules see the
/// raw line, before the text decoded from it.
extension SessionEvaluator {
    /// The stages whose rules see decoded content.
    static let contentStages: [Stage] = [.header, .body, .attachment, .mimetype]

    /// How many bytes the header being unfolded holds, and has room for (for tests of
    /// the header limit).
    var pendingHeaderStorage: (count: Int, capacity: Int)? { message.content?.stream.pendingHeaderStorage }

    /// One raw line (without its line ending) through the decoder and the rules; the dataline
    /// rules, if `datalineFirst`, before the first text decoded from it.
    func scanContent(_ text: [UInt8], datalineFirst: Bool) {
        var datalinePending = datalineFirst
        let content = messageContent()
        if !content.finished {
            content.stream.feed(text, number: message.lineCount) { event, line in
                if datalinePending, case .text = event {
                    datalinePending = false
                    scanDataline(text)
                }
                take(event, line: line, content)
            }
        }
        if datalinePending { scanDataline(text) }
    }

    /// The end of the message: what the decoder still holds goes to the rules.
    func finishContent() {
        guard let content = message.content, !content.finished, scansMessage else { return }
        content.stream.finish(number: message.lineCount) { event, line in take(event, line: line, content) }
        content.finished = true
    }

    /// Whether plain rules or terms of combined rules look at `stage`.
    func hasRules(at stage: Stage) -> Bool { stages[stage] != nil || combined.hasTerms(of: stage) }

    /// The message's decoder, started at its first line.
    private func messageContent() -> MessageContent {
        if let content = message.content { return content }
        let options = ruleSet.options
        // The decoder keeps no more of a header than the rules see; the scan limit bounds
        // it too when the header limit is off.
        let headerBytes = options.headerLimit == 0 ? options.scanLimit : options.headerLimit
        let stream = MIMEStream(
            limits: MIMELimits(headerBytes: headerBytes), emitsHeaders: hasRules(at: .header),
            emitsLinks: !ruleSet.dnsLists(at: .body).isEmpty)
        let content = MessageContent(stream: stream)
        message.content = content
        return content
    }

    /// One thing the decoder found, to its stage's rules, within the scan limit and the
    /// time limits.
    private func take(_ event: MIMEEvent, line: Int, _ content: MessageContent) {
        let stage: Stage
        let subject: MatchSubject
        switch event {
        case .problem(let problem):
            onDecodeProblem?(problem, line)
            return
        case .limitExceeded(let exceeded):
            contentLimitExceeded(exceeded, line: line, content)
            return
        case .header(let bytes): (stage, subject) = (.header, MatchSubject(headerLine: bytes))
        case .text(let bytes): (stage, subject) = (.body, MatchSubject(bytes: bytes))
        case .attachmentName(let bytes): (stage, subject) = (.attachment, MatchSubject(bytes: bytes))
        case .mimeType(let bytes): (stage, subject) = (.mimetype, MatchSubject(bytes: bytes))
        case .link(let bytes):
            // An HTML link's target: only `body links listed` terms look at it.
            if scansMessage { noteMessageDomains(.body, MatchSubject(bytes: bytes)) }
            return
        }
        guard scansMessage else {
            content.finished = true
            return
        }
        let limit = message.scanLimit
        let before = content.decodedBytes
        content.decodedBytes += subject.bytes.count + 1
        guard limit == 0 || before < limit else {
            content.finished = true
            return
        }
        if looksUpMessageDomains { noteMessageDomains(stage, subject) }
        guard hasRules(at: stage), !message.done.contains(stage) else { return }
        withinTimeLimits(message: true) {
            scanMessage(stage, subject, line: line)
        }
    }

    /// Part of the message went past a bound of the decoder, so the rules do not see it as
    /// the recipient will: the message gets what `set oversized-header` or `set
    /// oversized-mime` says, unless it is no longer scanned (a verdict, an accept, the scan
    /// limit, the time limit) or no rule looks at what was missed.
    private func contentLimitExceeded(_ exceeded: MIMELimitExceeded, line: Int, _ content: MessageContent) {
        guard scansMessage else { return }
        let limit = message.scanLimit
        guard limit == 0 || content.decodedBytes < limit else { return }
        let stage: Stage
        switch exceeded {
        case .headerBytes: stage = .header
        case .lineBytes:
            // Only body rules read decoded lines.
            guard hasRules(at: .body), !message.done.contains(.body) else { return }
            stage = .body
        case .parts, .depth, .boundaryBytes: stage = .body
        }
        let options = ruleSet.options
        let (action, option) =
            exceeded.isHeaderLimit ? (options.oversizedHeader, "oversized-header") : (options.oversizedMIME, "oversized-mime")
        let setting = "\(option) \(action)"
        onContentLimit?(exceeded, line, setting)
        guard let verdict = action.verdict else { return }
        let decision = Decision(
            verdict: verdict, reply: action.reply(for: exceeded.replyText), rule: nil,
            reason: "\(exceeded), set \(setting)",
            matchedInput: MatchedInput(stage: stage, bytes: [], messageLine: line))
        if options.mode == .reportOnly {
            if message.withheld == nil { message.withheld = WithheldRefusal(decision) }
        } else {
            message.verdict = decision
        }
    }
}
