extension Transcript {
    /// A session that sends one saved message (raw RFC 5322, as a mail client saves it) with
    /// `envelope`: HELO, MAIL FROM, one RCPT TO per recipient, DATA, the message, QUIT.
    ///
    /// The message's lines are its content as smtpd hands it to filters, after the client's
    /// dot-stuffing and smtpd's un-stuffing cancel out: LF or CRLF line ends removed, nothing
    /// else changed (a line starting with `.` stays as it is). The message step's line is 1,
    /// the message's first line; the envelope steps have line 0.
    public init(message bytes: [UInt8], name: String, envelope: MessageEnvelope = MessageEnvelope()) {
        let lines = Self.messageLines(bytes)
        let headers = MessageHeaders(lines: lines)
        let sender = envelope.sender ?? headers.envelopeSender
        var recipients = envelope.recipients.isEmpty ? headers.recipients : envelope.recipients
        if recipients.isEmpty { recipients = [MessageEnvelope.defaultRecipient] }
        let steps: [Step] =
            [Step(kind: .helo(envelope.helo), line: 0), Step(kind: .mail(sender), line: 0)]
            + recipients.map { Step(kind: .rcpt($0), line: 0) }
            + [Step(kind: .data, line: 0), Step(kind: .message(lines), line: 1), Step(kind: .quit, line: 0)]
        self.init(name: name, address: envelope.clientAddress, hostname: envelope.clientHostname, steps: steps)
    }

    /// The lines of a saved message without their line ends (LF or CRLF); a last line
    /// without a line end counts as a line.
    static func messageLines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).map { line in
            line.last == 0x0d ? Array(line.dropLast()) : Array(line)
        }
        if bytes.last == 0x0a || bytes.isEmpty { lines.removeLast() }
        return lines
    }
}
