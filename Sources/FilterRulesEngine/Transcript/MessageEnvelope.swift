/// The SMTP envelope a saved message is dry-run with (`filter-rules test --eml`): a local
/// client, and the sender and recipients the message itself names unless given.
public struct MessageEnvelope: Equatable, Sendable {
    /// The client's address.
    public var clientAddress: String
    /// The client's reverse-DNS name.
    public var clientHostname: String
    /// The HELO/EHLO argument.
    public var helo: String
    /// MAIL FROM, `""` for the null sender; nil: the message's `Return-Path:` address, else
    /// its first `From:` address, else the null sender.
    public var sender: String?
    /// RCPT TO, in order; empty: the addresses of the message's `To:` and `Cc:` headers,
    /// else ``defaultRecipient``.
    public var recipients: [String]

    /// The recipient of a message that names none.
    public static let defaultRecipient = "postmaster@localhost"

    /// Creates an envelope; the defaults are a client 127.0.0.1 named localhost saying
    /// `HELO localhost`, sender and recipients from the message.
    public init(
        clientAddress: String = "127.0.0.1", clientHostname: String = "localhost", helo: String = "localhost",
        sender: String? = nil, recipients: [String] = []
    ) {
        self.clientAddress = clientAddress
        self.clientHostname = clientHostname
        self.helo = helo
        self.sender = sender
        self.recipients = recipients
    }
}
