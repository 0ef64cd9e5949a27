/// One line the daemon sends in the line protocol, split into its fields.
///
/// Fields are separated by `|`; the last field of a line may itself contain `|`, so each
/// kind is split into exactly as many fields as it has before its free-form parameters.
/// Bytes are kept as they are: data lines need not be UTF-8.
public enum LineMessage: Equatable, Sendable {
    /// `config|KEY|VALUE` during the handshake.
    case config(key: String, value: String)
    /// `config|ready`: the end of the handshake.
    case configReady
    /// `report|VERSION|TIMESTAMP|SUBSYSTEM|EVENT|SESSION[|PARAMS]`.
    case report(LineReport)
    /// `filter|VERSION|TIMESTAMP|SUBSYSTEM|PHASE|SESSION|TOKEN[|PARAMS]`.
    case filter(LineFilterRequest)

    /// Why a line could not be read; `session` and `token` are set when they could be read,
    /// so the request can still be answered.
    public struct Malformed: Error, Equatable, Sendable {
        /// What is wrong.
        public var reason: String
        /// The session the line names, when it could be read.
        public var session: UInt64? = nil
        /// The token the line carries, when it could be read.
        public var token: UInt64? = nil
        /// The protocol version the line carries, when it could be read.
        public var version: LineProtocolVersion? = nil
    }

    /// Parses one line (without its `\n`).
    public static func parse(_ line: [UInt8]) throws(Malformed) -> LineMessage {
        let bar = UInt8(ascii: "|")
        func fields(_ count: Int) -> [ArraySlice<UInt8>] {
            var result: [ArraySlice<UInt8>] = []
            var start = line.startIndex
            while result.count < count - 1, let end = line[start...].firstIndex(of: bar) {
                result.append(line[start..<end])
                start = end + 1
            }
            result.append(line[start...])
            return result
        }
        func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        let kind = fields(2)[0]
        switch text(kind) {
        case "config":
            let parts = fields(3)
            guard parts.count >= 2 else { throw Malformed(reason: "config line without a key") }
            if parts.count == 2 {
                if text(parts[1]) == "ready" { return .configReady }
                throw Malformed(reason: "config line without a value")
            }
            return .config(key: text(parts[1]), value: text(parts[2]))
        case "report":
            let parts = fields(7)
            guard parts.count >= 6 else { throw Malformed(reason: "report line with \(parts.count) fields, expected at least 6") }
            guard let version = LineProtocolVersion(ascii: parts[1]) else {
                throw Malformed(reason: "bad version '\(text(parts[1]))'")
            }
            guard let session = hexIdentifier(parts[5]) else {
                throw Malformed(reason: "bad session id '\(text(parts[5]))'", version: version)
            }
            let parameters = parts.count == 7 ? Array(parts[6]) : []
            return .report(
                LineReport(
                    version: version, timestamp: text(parts[2]), subsystem: text(parts[3]),
                    event: text(parts[4]), session: session, parameters: parameters))
        case "filter":
            let parts = fields(8)
            guard parts.count >= 7 else { throw Malformed(reason: "filter line with \(parts.count) fields, expected at least 7") }
            let session = hexIdentifier(parts[5]), token = hexIdentifier(parts[6])
            guard let version = LineProtocolVersion(ascii: parts[1]) else {
                throw Malformed(reason: "bad version '\(text(parts[1]))'", session: session, token: token)
            }
            guard let session, let token else {
                throw Malformed(
                    reason: "bad session id or token '\(text(parts[5]))|\(text(parts[6]))'",
                    session: session, token: token, version: version)
            }
            let parameters = parts.count == 8 ? Array(parts[7]) : []
            return .filter(
                LineFilterRequest(
                    version: version, timestamp: text(parts[2]), subsystem: text(parts[3]),
                    phase: text(parts[4]), session: session, token: token, parameters: parameters))
        default:
            throw Malformed(reason: "unknown line type '\(text(kind))'")
        }
    }

    /// A session id or token: 1 to 16 hex digits.
    static func hexIdentifier<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}

/// A `report|...` line: an event of a session, which takes no answer.
public struct LineReport: Equatable, Sendable {
    /// The protocol version of the line.
    public var version: LineProtocolVersion
    /// The daemon's timestamp, `SECONDS.MICROSECONDS`.
    public var timestamp: String
    /// `smtp-in` (or `smtp-out`).
    public var subsystem: String
    /// The event, e.g. `link-connect`, `tx-reset`, `link-disconnect`.
    public var event: String
    /// The session id.
    public var session: UInt64
    /// The event's parameters as raw bytes (fields separated by `|`).
    public var parameters: [UInt8]

    /// The parameters split at every `|`, as text.
    public var fields: [String] {
        parameters.isEmpty
            ? []
            : parameters.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A `filter|...` line: a query of a session that takes exactly one answer.
public struct LineFilterRequest: Equatable, Sendable {
    /// The protocol version of the line, which also decides the layout of the answer.
    public var version: LineProtocolVersion
    /// The daemon's timestamp, `SECONDS.MICROSECONDS`.
    public var timestamp: String
    /// `smtp-in`.
    public var subsystem: String
    /// The phase, e.g. `connect`, `helo`, `mail-from`, `data-line`, `commit`.
    public var phase: String
    /// The session id.
    public var session: UInt64
    /// The opaque token to give back in the answer.
    public var token: UInt64
    /// The phase's parameters as raw bytes (for `data-line`, the line itself).
    public var parameters: [UInt8]

    /// The parameters as text (bytes that are not UTF-8 shown as U+FFFD).
    public var parameterText: String { String(decoding: parameters, as: UTF8.self) }
}
