import FilterRules
import Logging
import OpenSMTPD

/// The header lines the rules add, as message lines.
enum HeaderInsertion {
    /// `headers` as data lines, with a CR before the newline for a CRLF message (one whose
    /// first line ends with CR), so the message keeps its line endings.
    static func lines(_ headers: [String], crlf: Bool) -> [DataLine] {
        headers.map { DataLine(bytes: Array($0.utf8) + (crlf ? [0x0d] : [])) }
    }

    /// Whether a message of a session under `ruleSet` is held until its verdict (see
    /// ``CompiledRuleSet/holdsMessages``); when it is, `limits` get the rules' hold limit
    /// and hold total.
    /// Both adapters ask it when a message begins.
    static func holds(under ruleSet: CompiledRuleSet, limits: inout MessageHoldLimits) -> Bool {
        guard ruleSet.holdsMessages else { return false }
        limits.maximum = ruleSet.options.holdLimit
        limits.total = ruleSet.options.holdTotal
        return true
    }

    /// Logs the edits of message-stage rules that a message not held cannot get (the rules
    /// say `set hold-limit 0` or `set hold-total 0`, or changed on a reload while the
    /// message streamed).
    static func logUnwritten(_ edits: MessageEdits, session: UInt64, logger: Logger) {
        let lines = edits.headerLines()
        guard !lines.isEmpty else { return }
        let message =
            "session \(SessionIdentifier.hex(session)): the message was not held (set hold-limit 0 or hold-total 0), "
            + "so \(lines.count) header line(s) of message rules were not added: \(lines.joined(separator: " | "))"
        logger.notice("\(message)")
    }
}
