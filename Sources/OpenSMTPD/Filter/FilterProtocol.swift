/// The imsg message types of the filter API 52.
public enum FilterMessageType: UInt32, Sendable, CaseIterable {
    /// IMSG_FILTER_REGISTER: version and name from the daemon; hooks and flags back.
    case register = 0
    /// IMSG_FILTER_EVENT: a session event, no answer.
    case event = 1
    /// IMSG_FILTER_QUERY: a question that needs exactly one response.
    case query = 2
    /// IMSG_FILTER_PIPE: a data-pipe descriptor, in both directions.
    case pipe = 3
    /// IMSG_FILTER_RESPONSE: the filter's answer to a query.
    case response = 4
}

/// Session events (`EVENT_*`).
public enum FilterEvent: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// A client connected.
    case connect = 0
    /// The client sent RSET.
    case reset = 1
    /// The session ended; its id is dead afterwards.
    case disconnect = 2
    /// A transaction started (MAIL FROM).
    case txBegin = 3
    /// A message was accepted.
    case txCommit = 4
    /// A transaction was abandoned.
    case txRollback = 5

    /// The C name, for logs.
    public var description: String {
        [
            "EVENT_CONNECT", "EVENT_RESET", "EVENT_DISCONNECT", "EVENT_TX_BEGIN",
            "EVENT_TX_COMMIT", "EVENT_TX_ROLLBACK",
        ][Int(rawValue)]
    }
}

/// Query types (`QUERY_*`).
public enum QueryType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// A client connected.
    case connect = 0
    /// HELO or EHLO.
    case helo = 1
    /// MAIL FROM.
    case mail = 2
    /// RCPT TO.
    case rcpt = 3
    /// DATA.
    case data = 4
    /// End of message (the final dot).
    case eom = 5
    /// Defined by the API but never sent as a query (data travels through the pipe).
    case dataLine = 6

    /// The C name, for logs.
    public var description: String {
        [
            "QUERY_CONNECT", "QUERY_HELO", "QUERY_MAIL", "QUERY_RCPT", "QUERY_DATA",
            "QUERY_EOM", "QUERY_DATALINE",
        ][Int(rawValue)]
    }
}

/// The hooks a filter registers (`HOOK_*` bits). Only ``dataLine`` changes what the daemon
/// does (it routes message data through the filter); queries arrive regardless.
public struct FilterHooks: OptionSet, Sendable, Hashable {
    /// The bitmask as sent in the register answer.
    public let rawValue: Int32
    /// Creates a hook set from its bitmask.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// HOOK_CONNECT.
    public static let connect = FilterHooks(rawValue: 1 << 0)
    /// HOOK_HELO.
    public static let helo = FilterHooks(rawValue: 1 << 1)
    /// HOOK_MAIL.
    public static let mail = FilterHooks(rawValue: 1 << 2)
    /// HOOK_RCPT.
    public static let rcpt = FilterHooks(rawValue: 1 << 3)
    /// HOOK_DATA.
    public static let data = FilterHooks(rawValue: 1 << 4)
    /// HOOK_EOM.
    public static let eom = FilterHooks(rawValue: 1 << 5)
    /// HOOK_RESET.
    public static let reset = FilterHooks(rawValue: 1 << 6)
    /// HOOK_DISCONNECT.
    public static let disconnect = FilterHooks(rawValue: 1 << 7)
    /// HOOK_COMMIT.
    public static let commit = FilterHooks(rawValue: 1 << 8)
    /// HOOK_ROLLBACK.
    public static let rollback = FilterHooks(rawValue: 1 << 9)
    /// HOOK_DATALINE: message data is routed through the filter's pipe.
    public static let dataLine = FilterHooks(rawValue: 1 << 10)
}

/// A query's arguments as decoded from the daemon.
public enum FilterQuery: Equatable, Sendable {
    /// CONNECT: both addresses and the client's hostname.
    case connect(ConnectQuery)
    /// HELO/EHLO: the argument the client gave.
    case helo(String)
    /// MAIL FROM: the sender.
    case mail(MailAddress)
    /// RCPT TO: a recipient.
    case rcpt(MailAddress)
    /// DATA.
    case data
    /// End of message: the number of bytes the SMTP side wrote into the data pipe.
    case eom(dataLength: UInt32)

    /// The query's type code.
    public var type: QueryType {
        switch self {
        case .connect: return .connect
        case .helo: return .helo
        case .mail: return .mail
        case .rcpt: return .rcpt
        case .data: return .data
        case .eom: return .eom
        }
    }
}
