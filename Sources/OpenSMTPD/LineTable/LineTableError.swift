/// A line from smtpd that a text-protocol table cannot answer: the conversation cannot go
/// on, the program prints the error and exits non-zero (smtpd, which exits on a reply it
/// cannot parse, would otherwise be left waiting or be given garbage).
public enum LineTableError: Error, Equatable, Sendable, CustomStringConvertible {
    /// smtpd speaks another version of the protocol (`config|protocol|V` or a request's
    /// second field); this library speaks ``LineTable/protocolVersion``.
    case unsupportedVersion(String, line: String)
    /// A line that breaks the protocol; the text says what is wrong.
    case malformed(String, line: String)
    /// A request that cannot be answered before the handshake ended, or a handshake line after it.
    case outOfOrder(String, line: String)
    /// A request for another table than the one named in `config|tablename`.
    case wrongTable(expected: String, line: String)
    /// The table has no service to register; smtpd exits on an empty registration.
    case noServices
    /// Reading from or writing to the channel failed, or it closed in the middle of a line.
    case channel(LineProtocolError)

    /// A one-line description naming the offending line (shortened to 200 bytes).
    public var description: String {
        switch self {
        case let .unsupportedVersion(version, line):
            return "unsupported table protocol version '\(version)' (this table speaks \(LineTable.protocolVersion)): \(Self.excerpt(line))"
        case let .malformed(what, line):
            return "malformed line from smtpd: \(what): \(Self.excerpt(line))"
        case let .outOfOrder(what, line):
            return "\(what): \(Self.excerpt(line))"
        case let .wrongTable(expected, line):
            return "request for another table than '\(expected)' (this process serves only the table named in config|tablename): \(Self.excerpt(line))"
        case .noServices:
            return "no service to register: smtpd refuses a table that registers none"
        case let .channel(error):
            return error.description
        }
    }

    /// The line as received, shortened for a log line.
    static func excerpt(_ line: String) -> String {
        line.utf8.count <= 200 ? line : String(decoding: line.utf8.prefix(200), as: UTF8.self) + "..."
    }
}
