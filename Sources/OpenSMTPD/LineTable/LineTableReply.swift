/// A table's reply line in the text protocol, as `table_proc.c` of smtpd 7.6+ reads it:
/// `OP-result|ID|` then the result. Anything else makes smtpd exit, so a reply is only
/// ever built from these cases, and ``line`` keeps it one well-formed line (a value that
/// cannot be sent becomes `error`).
public struct LineTableReply: Equatable, Sendable {
    /// The result of an operation.
    public enum Result: Equatable, Sendable {
        /// update: `ok`.
        case ok
        /// check: `found`.
        case found
        /// lookup, fetch: `found|VALUE` (a non-empty value without line breaks or NUL).
        case value(String)
        /// check, lookup, fetch: `not-found`.
        case notFound
        /// Any operation: `error`, or `error|MESSAGE` (smtpd logs the message).
        case error(String?)
    }

    /// The operation answered (`update`, `check`, `lookup`, `fetch`).
    public var operation: String
    /// The request id.
    public var id: String
    /// The result.
    public var result: Result

    /// Longest message sent after `error|`, in bytes; the rest is cut (smtpd logs it whole).
    public static let maximumMessageLength = 1000

    /// Creates a reply.
    public init(operation: String, id: String, result: Result) {
        self.operation = operation
        self.id = id
        self.result = result
    }

    /// Whether `value` can travel as a lookup or fetch result: smtpd exits on an empty one,
    /// and a line break would end the reply early.
    public static func isSendable(value: String) -> Bool {
        !value.isEmpty && !value.utf8.contains { $0 == 10 || $0 == 13 || $0 == 0 }
    }

    /// The reply line with its `\n`.
    public var line: String {
        let head = "\(operation)-result|\(id)|"
        switch result {
        case .ok: return head + "ok\n"
        case .found: return head + "found\n"
        case let .value(value) where !Self.isSendable(value: value):
            return head + "error|the value is empty or holds a line break\n"
        case let .value(value): return head + "found|" + value + "\n"
        case .notFound: return head + "not-found\n"
        case .error(nil): return head + "error\n"
        case let .error(message?): return head + "error|" + Self.oneLine(message) + "\n"
        }
    }

    /// `message` with CR, LF and NUL replaced by spaces, cut to ``maximumMessageLength`` bytes.
    static func oneLine(_ message: String) -> String {
        var bytes = message.utf8.map { $0 == 10 || $0 == 13 || $0 == 0 ? UInt8(ascii: " ") : $0 }
        if bytes.count > maximumMessageLength {
            bytes = Array(bytes.prefix(maximumMessageLength))
            // Do not end inside a UTF-8 sequence: drop the last one when it is incomplete.
            if let lead = bytes.lastIndex(where: { $0 & 0xc0 != 0x80 }), bytes[lead] >= 0xc0 {
                let length = bytes[lead] >= 0xf0 ? 4 : bytes[lead] >= 0xe0 ? 3 : 2
                if bytes.count - lead < length { bytes.removeSubrange(lead...) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
