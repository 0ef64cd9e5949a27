/// What the rules add to a message: the spam mark and header lines, in the order their
/// rules matched; each rule's header is added once.
public struct MessageEdits: Hashable, Sendable {
    /// The header smtpd itself writes for a junked session or transaction, and that
    /// filter-rules writes where smtpd cannot (content stages, filter API 52).
    public static let junkHeader = "X-Spam: Yes"

    /// Where a spam mark came from.
    public enum JunkOrigin: String, Hashable, Sendable {
        /// An envelope stage (connect … rcpt): on OpenSMTPD 6.6+ answered with the
        /// protocol's `junk` result, so smtpd writes the header itself.
        case envelope
        /// A message stage (header, body, dataline): only the filter can write the header.
        case content
    }

    /// Whether and where the message was marked as spam.
    public var junk: JunkOrigin?
    /// The add-header matches, in order.
    public var headers: [RuleMark] = []

    /// No edits.
    public init() {}

    /// Whether nothing is added.
    public var isEmpty: Bool { junk == nil && headers.isEmpty }

    /// Adds what `mark` does at a stage of `origin` (a warn adds nothing; a rule's header
    /// is added once).
    mutating func add(_ mark: RuleMark, origin: JunkOrigin) {
        switch mark.kind {
        case .junk: if junk == nil { junk = origin }
        case .header: if !headers.contains(where: { $0.rule == mark.rule }) { headers.append(mark) }
        case .warn, .score, .addTo, .removeFrom: break
        }
    }

    /// Adds `other`'s edits after these.
    func merged(with other: MessageEdits) -> MessageEdits {
        var result = self
        if result.junk == nil || other.junk == .envelope { result.junk = other.junk ?? result.junk }
        for mark in other.headers where !result.headers.contains(where: { $0.rule == mark.rule }) {
            result.headers.append(mark)
        }
        return result
    }

    /// Only what message-stage rules add (their junk mark and headers): what a message that
    /// was not held cannot get any more at its end.
    public var fromMessageStages: MessageEdits {
        var result = MessageEdits()
        if junk == .content { result.junk = .content }
        result.headers = headers.filter { $0.rule.stage.isMessageStage }
        return result
    }

    /// The header lines to insert at the top of the message, without line endings:
    /// `X-Spam: Yes` first when the message is junk (unless `junkWrittenBySMTPD` says smtpd
    /// writes it, for an envelope-stage junk on OpenSMTPD 6.6+), then the added headers.
    public func headerLines(junkWrittenBySMTPD: Bool = false) -> [String] {
        var lines: [String] = []
        if let junk, !(junk == .envelope && junkWrittenBySMTPD) { lines.append(Self.junkHeader) }
        for mark in headers {
            if case .header(let line) = mark.kind { lines.append(line) }
        }
        return lines
    }
}
