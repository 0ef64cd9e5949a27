/// What one client session does; `SMTPClientScript` carries it out.
struct SMTPSessionPlan: Sendable {
    /// "ehlo", "helo", or nil to stop after the greeting.
    var greeting: String? = "ehlo"
    /// The HELO/EHLO argument.
    var name = "client.example.org"
    /// The MAIL FROM address ("" for the null sender), or nil to stop before it.
    var mail: String? = "sender@example.org"
    /// The RCPT TO addresses.
    var recipients = ["someone@example.net"]
    /// The message (LF line ends), or nil to stop before DATA.
    var message: [UInt8]?
    /// Seconds the client waits for any reply.
    var timeout = 10.0
}

/// One reply of the server.
struct SMTPReply: Decodable, Sendable, CustomStringConvertible {
    /// connect, helo, ehlo, mail, rcpt, data, message (after the final dot) or quit.
    let stage: String
    /// The reply code.
    let code: Int
    /// The reply text (lines joined by "\n").
    let text: String
    /// Seconds from the client's connect to this reply.
    let at: Double

    var description: String { "\(stage) \(code) \(text.split(separator: "\n").first ?? "") (\(at) s)" }
}

/// The server's replies in one session, in order.
struct SMTPTranscript: Decodable, Sendable, CustomStringConvertible {
    /// Every reply the client read.
    let steps: [SMTPReply]
    /// What went wrong on the client side (a dropped connection, a timeout), if anything.
    let error: String?

    /// The first reply of 400 or more (QUIT not counted): where the session was refused.
    var refusal: SMTPReply? { steps.first { $0.code >= 400 && $0.stage != "quit" } }

    /// The reply at `stage` (the first one there).
    func reply(at stage: String) -> SMTPReply? { steps.first { $0.stage == stage } }

    var description: String {
        steps.map(\.description).joined(separator: " | ") + (error.map { " | client error: \($0)" } ?? "")
    }
}
