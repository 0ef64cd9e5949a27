import FilterRules

/// What the dry-run found for one transcript.
public struct TranscriptReport: Sendable, Encodable {
    /// The transcript's name (its path).
    public var name: String
    /// The client address and hostname it connected with.
    public var address: String
    /// The client's hostname.
    public var hostname: String
    /// Each step that reached (or would have reached) the filter, in order.
    public var steps: [StepReport]

    /// Whether every expectation held.
    public var passed: Bool { steps.allSatisfy { $0.expectationHeld != false } }

    enum CodingKeys: String, CodingKey { case name, address, hostname, passed, steps }

    /// Encodes the report, `passed` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(address, forKey: .address)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(passed, forKey: .passed)
        try container.encode(steps, forKey: .steps)
    }
}

/// One step of a replayed transcript.
public struct StepReport: Sendable, Encodable {
    /// The step: connect, helo, mail, rcpt, data, message.
    public var step: String
    /// The transcript line of the step (0 for the connection).
    public var line: Int
    /// What the client sent (command argument, or a summary of the message).
    public var input: String
    /// The answer: accept, reject, tempfail, disconnect, or `not-reached`.
    public var answer: String
    /// The reply code, for refusals.
    public var code: Int?
    /// The reply text, for refusals.
    public var text: String?
    /// The deciding rule as `file:line`, when a rule decided.
    public var rule: String?
    /// The deciding rule's text.
    public var ruleSource: String?
    /// Why the step has this answer without a rule of its own (scope, limit, not reached).
    public var note: String?
    /// The expectation written for this step, e.g. `reject 550`.
    public var expected: String?
    /// Whether the expectation held; nil when there was none.
    public var expectationHeld: Bool?
}

extension TranscriptReport {
    /// The human-readable report: a heading and one line per step.
    public var text: String {
        var lines = ["\(name) (client \(address) \(hostname)): \(passed ? "PASS" : "FAIL")"]
        for step in steps {
            let name = step.step.prefix(8)
            var line = "  \(name)\(String(repeating: " ", count: 8 - name.count)) \(step.answer)"
            if let code = step.code { line += " \(code)" }
            if let text = step.text, !text.isEmpty { line += " \(text)" }
            if let rule = step.rule { line += "  [\(rule): \(step.ruleSource ?? "")]" }
            if let note = step.note { line += "  (\(note))" }
            if let expected = step.expected {
                line += step.expectationHeld == true ? "  expected \(expected): ok" : "  expected \(expected): FAILED"
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
