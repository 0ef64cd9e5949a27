import FilterRules

extension TranscriptReport {
    /// The human-readable report: a heading and one line per step.
    public var text: String {
        let at = startsAfter == 0 ? "" : ", at +\(Self.duration(startsAfter))"
        var lines = ["\(name) (client \(address) \(hostname)\(at)): \(passed ? "PASS" : "FAIL")"]
        for step in steps {
            let name = step.step.prefix(8)
            var line = "  \(name)\(String(repeating: " ", count: 8 - name.count)) \(step.outcomeText)"
            if let expected = step.expected {
                let source = step.expectationSource == Transcript.ExpectationSource.recordedReply.rawValue ? " (recorded)" : ""
                line += step.expectationHeld == true ? "  expected \(expected)\(source): ok" : "  expected \(expected)\(source): FAILED"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// `6m`, `90s`, `2h`, `1d`: `milliseconds` in its largest whole unit.
    static func duration(_ milliseconds: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }

    /// The verdict on a saved message in one line: `NAME: accept`, or the first step that
    /// was not accepted, e.g. `spam.eml: message reject 554 5.7.1 Spam  [rules:4: ...]  on
    /// header line 3: "Subject: ..."`. Regex limits hit on the way are named as well.
    public var verdictLine: String {
        guard let refused = steps.first(where: { $0.answer != Verdict.accept.rawValue || $0.wouldAnswer != nil }) else {
            let limits = steps.flatMap(\.regexLimits).map { "  (regex limit: \($0))" }
            let added = steps.flatMap(\.addedHeaders).map { "  (adds \"\($0)\")" }
            return "\(name): accept" + added.joined() + limits.joined()
        }
        return "\(name): \(refused.step) \(refused.outcomeText)"
    }
}

extension StepReport {
    /// `ANSWER [CODE TEXT]  [RULE: SOURCE]  on INPUT  (NOTE)  (regex limit: ...)`.
    var outcomeText: String {
        var line = answer
        if let code { line += " \(code)" }
        if let text, !text.isEmpty { line += " \(text)" }
        if let rule { line += "  [\(rule): \(ruleSource ?? "")]" }
        if let input = inputText { line += "  on \(input)" }
        if let note { line += "  (\(note))" }
        if let would = wouldAnswer {
            line += "  (report-only: would \(would.answer)\(would.code.map { " \($0)" } ?? "")"
            if let text = would.text, !text.isEmpty { line += " \(text)" }
            if let rule = would.rule { line += " [\(rule)]" }
            line += ")"
        }
        for mark in marks { line += "  (\(mark))" }
        for header in addedHeaders { line += "  (adds \"\(header)\")" }
        for limit in regexLimits { line += "  (regex limit: \(limit))" }
        for lookup in dnsLookups { line += "  (\(lookup))" }
        if let score { line += "  (score now \(score))" }
        return line
    }

    /// `recipient: "root@example.org"`, `body line 3: "see bit.ly/x"`: the input that decided,
    /// or else the argument of a HELO, MAIL or RCPT step.
    private var inputText: String? {
        if let matched {
            let cut = matched.truncated ? "... (\(matched.length) bytes)" : ""
            return "\(Self.noun(matched.stage, line: matched.messageLine)): \"\(matched.text)\"\(cut)"
        }
        guard let stage = Stage(rawValue: step), [.helo, .mail, .rcpt].contains(stage) else { return nil }
        return "\(Self.noun(step, line: nil)): \(InputExcerpt(input).quoted)"
    }

    /// What an input of `stage` is called.
    private static func noun(_ stage: String, line: Int?) -> String {
        switch Stage(rawValue: stage) {
        case .addr: return "address"
        case .connect: return "hostname"
        case .helo: return "HELO name"
        case .mail: return "sender"
        case .rcpt: return "recipient"
        case .auth: return "authenticated user"
        case .authfail: return "user name of a failed AUTH"
        case .tls: return "TLS"
        case .fcrdns: return "FCrDNS result"
        case .score: return "score"
        case .header, .body, .dataline, .attachment, .mimetype:
            guard let line else { return "smtpd's Received header" }
            return stage == Stage.dataline.rawValue ? "line \(line)" : "\(stage) line \(line)"
        case nil: return stage
        }
    }
}
