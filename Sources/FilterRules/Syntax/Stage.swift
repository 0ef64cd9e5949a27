/// The points of an SMTP session a rule can look at.
public enum Stage: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The client's reverse-DNS hostname, at connect.
    case connect
    /// The client's IP address, at connect.
    case addr
    /// The HELO/EHLO argument.
    case helo
    /// The sender, `user@domain` or `<>`.
    case mail
    /// A recipient, `user@domain`.
    case rcpt
    /// Each unfolded header of the message and of its parts, RFC 2047 decoded.
    case header
    /// Each line of the text of the message's text parts, decoded to UTF-8.
    case body
    /// Each physical line of the message, as it is.
    case dataline
    /// Each file name of a part of the message, decoded to UTF-8.
    case attachment
    /// Each media type (`type/subtype`, lowercased) of the message and its parts.
    case mimetype
    /// The authenticated user name (OpenSMTPD 6.6+ `link-auth` with result `pass`), empty
    /// without AUTH; known at the report, final at MAIL FROM.
    case auth
    /// Each failed AUTH attempt (OpenSMTPD 6.6+ `link-auth` with result `fail`): the user
    /// name tried. smtpd reports it and asks nothing, so rules here only tag (`add-to`,
    /// `score`, `warn`); a later step refuses.
    case authfail
    /// The TLS summary of the `link-tls` report (`TLSv1.3:TLS_AES_256_GCM_SHA384:256`),
    /// empty without STARTTLS; known at the report, final at MAIL FROM.
    case tls
    /// The forward-confirmed reverse DNS result of `link-connect`: `pass`, `fail` or
    /// `error`; known at connect.
    case fcrdns
    /// The transaction's score (`score >= N`): the points of the `score` rules that matched
    /// at earlier points; tried at every point (see filter-rules.conf(5), SCORES).
    case score

    /// The stage keyword.
    public var description: String { rawValue }

    /// Whether the stage looks at message data (answered at the end of the message).
    public var isMessageStage: Bool { self == .header || self == .body || self == .dataline || isDecodedPart }

    /// Whether the stage looks at what MIME decoding finds in a message (file names, types).
    public var isDecodedPart: Bool { self == .attachment || self == .mimetype }

    /// Whether the stage is a fact smtpd 6.6+ reports about the session (auth, tls, fcrdns):
    /// filter API 52 has none of them, and its terms see the empty string there.
    public var isSessionFact: Bool { self == .auth || self == .tls || self == .fcrdns }

    /// Whether `accept transaction` makes sense at this stage (a transaction is under way).
    public var isInTransaction: Bool { self == .mail || self == .rcpt || isMessageStage }

    /// The keywords in the order the manual lists them, for messages (`rdns` is another
    /// name of `connect`).
    static let keywordList = allCases.map(\.rawValue).joined(separator: ", ") + ", rdns"

    /// The stage a keyword names (any case), `rdns` included.
    static func named(_ keyword: String) -> Stage? {
        let word = keyword.lowercased()
        return word == "rdns" ? .connect : Stage(rawValue: word)
    }
}
