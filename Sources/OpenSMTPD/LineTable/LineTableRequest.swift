/// A request of smtpd 7.6+ to a table, parsed from the line `table_proc.c` writes:
/// `table|0.1|SEC.USEC|TABLE|update|ID`, `...|check|SERVICE|ID|KEY`,
/// `...|lookup|SERVICE|ID|KEY` or `...|fetch|SERVICE|ID`.
///
/// The key is the last field and may contain `|`. The table name is matched as the
/// handshake gave it, so a name with a `|` in it is read correctly too.
public struct LineTableRequest: Equatable, Sendable {
    /// What is asked, with its fields.
    public enum Operation: Equatable, Sendable {
        /// Reload the table's data.
        case update
        /// Whether `key` is in the table for `service`.
        case check(service: TableService, key: String)
        /// The value of `key` for `service`.
        case lookup(service: TableService, key: String)
        /// The next value for `service`.
        case fetch(service: TableService)

        /// The operation's name on the wire (`update`, `check`, `lookup`, `fetch`).
        public var name: String {
            switch self {
            case .update: return "update"
            case .check: return "check"
            case .lookup: return "lookup"
            case .fetch: return "fetch"
            }
        }
    }

    /// The operation and its fields.
    public var operation: Operation
    /// The request id, echoed in the reply (smtpd writes `%08x`).
    public var id: String
    /// The table's name as the request gives it.
    public var table: String
    /// The timestamp field, `SECONDS.MICROSECONDS`.
    public var timestamp: String

    /// Creates a request.
    public init(operation: Operation, id: String, table: String, timestamp: String) {
        self.operation = operation
        self.id = id
        self.table = table
        self.timestamp = timestamp
    }

    /// A request naming a service smtpd knows and this library does not: well formed, and
    /// answered `OP-result|ID|error|...` rather than ending the table.
    public struct UnknownService: Error, Equatable, Sendable {
        /// The operation's name.
        public var operation: String
        /// The request id.
        public var id: String
        /// The service as the request names it.
        public var service: String
    }

    /// Parses `line` (its bytes, without the `\n`). Fields are split at `|` bytes, so no
    /// key, whatever bytes it holds, can shift them.
    ///
    /// - Parameter table: the name from `config|tablename`; the request must name it.
    /// - Returns: the request, or ``UnknownService`` for a well-formed request for a
    ///   service this library does not know.
    /// - Throws: ``LineTableError`` for a line that is not a request of protocol 0.1: another
    ///   version, a missing or malformed field, an unknown operation, another table.
    public static func parse(_ line: [UInt8], table: String?) throws(LineTableError) -> Result<LineTableRequest, UnknownService> {
        let text = String(decoding: line, as: UTF8.self)
        let bar = UInt8(ascii: "|")
        var rest = line[...]
        func field(_ what: String) throws(LineTableError) -> ArraySlice<UInt8> {
            guard let index = rest.firstIndex(of: bar) else { throw .malformed("missing \(what)", line: text) }
            defer { rest = rest[(index + 1)...] }
            return rest[..<index]
        }
        func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        guard try field("request type").elementsEqual("table".utf8) else { throw .malformed("not a table request", line: text) }
        let version = try field("protocol version")
        guard version.elementsEqual(LineTable.protocolVersion.utf8) else {
            throw .unsupportedVersion(string(version), line: text)
        }
        let timestamp = try field("timestamp")
        guard isTimestamp(timestamp) else { throw .malformed("timestamp '\(string(timestamp))' is not SECONDS.MICROSECONDS", line: text) }
        let name: ArraySlice<UInt8>
        if let table {
            let prefix = Array(table.utf8) + [bar]
            guard rest.starts(with: prefix) else { throw .wrongTable(expected: table, line: text) }
            name = rest.prefix(prefix.count - 1)
            rest = rest.dropFirst(prefix.count)
        } else {
            name = try field("table name")
        }
        let operation = string(rest.prefix { $0 != bar })
        rest = rest.dropFirst(operation.utf8.count)
        let parsed: Operation
        let id: ArraySlice<UInt8>
        switch operation {
        case "update":
            guard rest.first == bar else { throw .malformed("missing request id", line: text) }
            rest = rest.dropFirst()
            guard !rest.contains(bar) else { throw .malformed("update takes only a request id", line: text) }
            id = rest
            try checkID(id, line: text)
            parsed = .update
        case "check", "lookup", "fetch":
            guard rest.first == bar else { throw .malformed("missing service", line: text) }
            rest = rest.dropFirst()
            let serviceName = try field("request id")
            var key: ArraySlice<UInt8> = []
            if operation == "fetch" {
                guard !rest.contains(bar) else { throw .malformed("fetch takes no key", line: text) }
                id = rest
            } else {
                guard let index = rest.firstIndex(of: bar) else {
                    try checkID(rest, line: text)
                    throw .malformed("missing key", line: text)
                }
                id = rest[..<index]
                key = rest[(index + 1)...]
            }
            try checkID(id, line: text)
            guard let service = TableService(wireName: string(serviceName)) else {
                return .failure(UnknownService(operation: operation, id: string(id), service: string(serviceName)))
            }
            switch operation {
            case "check": parsed = .check(service: service, key: string(key))
            case "lookup": parsed = .lookup(service: service, key: string(key))
            default: parsed = .fetch(service: service)
            }
        case "":
            throw .malformed("missing operation", line: text)
        default:
            throw .malformed("unknown operation '\(operation)'", line: text)
        }
        return .success(LineTableRequest(operation: parsed, id: string(id), table: string(name), timestamp: string(timestamp)))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// `SECONDS.MICROSECONDS`: digits, a dot, digits.
    private static func isTimestamp(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")) else { return false }
        let seconds = bytes[..<dot], fraction = bytes[(dot + 1)...]
        return !seconds.isEmpty && !fraction.isEmpty && seconds.allSatisfy(isDigit) && fraction.allSatisfy(isDigit)
    }

    /// smtpd writes ids with `%08x`; any 1 to 16 hex digits are taken (the man page's
    /// examples show 7), since the id is only echoed.
    private static func checkID(_ id: ArraySlice<UInt8>, line: String) throws(LineTableError) {
        guard !id.isEmpty else { throw .malformed("missing request id", line: line) }
        let isHex = id.allSatisfy { isDigit($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }
        guard id.count <= 16, isHex else {
            throw .malformed("request id '\(String(decoding: id, as: UTF8.self))' is not 1 to 16 hexadecimal digits", line: line)
        }
    }
}
