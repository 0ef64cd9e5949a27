import FilterRules
import Logging
import OpenSMTPD

/// The header lines the rules add, as message lines.
enum HeaderInsertion {
    /// `headers` as data lines ending like `line` (the message's first line): with a CR
    /// before the newline when it has one, so a CRLF message stays CRLF.
    static func lines(_ headers: [String], endingLike line: DataLine) -> [DataLine] {
        let ending: [UInt8] = line.bytes.last == 0x0d ? [0x0d] : []
        return headers.map { DataLine(bytes: Array($0.utf8) + ending) }
    }

    /// Logs the edits of message-stage rules that a message not held cannot get (the rules
    /// say `set hold-limit 0`, or changed on a reload while the message streamed).
    static func logUnwritten(_ edits: MessageEdits, session: UInt64, logger: Logger) {
        let lines = edits.headerLines()
        guard !lines.isEmpty else { return }
        logger.notice("session \(SessionIdentifier.hex(session)): the message was not held (set hold-limit 0), so \(lines.count) header line(s) of message rules were not added: \(lines.joined(separator: " | "))")
    }
}
