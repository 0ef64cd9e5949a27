#if canImport(Glibc)
    import Glibc
#endif

/// A table's reply line as smtpd 7.6+ (`table_proc.c`) accepts it, parsed.
public struct LineTableAnswer: Sendable, Equatable, CustomStringConvertible {
    /// What the reply says after `OP-result|ID|`.
    public enum Result: Sendable, Equatable {
        /// update: `ok`.
        case ok
        /// check: `found`.
        case found
        /// lookup, fetch: `found|VALUE`.
        case value(String)
        /// `not-found`.
        case notFound
        /// `error`, or `error|MESSAGE`.
        case error(String?)
    }

    /// The line as received, without its `\n` (for golden comparisons).
    public var line: String
    /// The parsed result.
    public var result: Result

    /// The line.
    public var description: String { line }
}

/// The daemon side of the text table protocol of OpenSMTPD 7.6 and later (smtpd-tables(7),
/// 0.1), written from the man page and `table_proc.c` of 7.8.0p1: the table runs with one
/// blocking socket as stdin and stdout (`fork_proc_backend`), gets the four `config|` lines,
/// must register its services, then gets one request at a time and must send exactly one
/// reply for it. Every line from the table is checked at least as strictly as smtpd checks
/// it (smtpd exits on a violation; the double throws ``DoubleError/malformed(_:)``), and
/// stricter where smtpd only compares a prefix (`found` must be the whole result).
public final class LineTableDouble {
    /// The table process.
    public let process: FilterProcess
    /// The table's name, sent in `config|tablename` and in every request.
    public let name: String
    /// Every line sent (`> ...`) and received (`< ...`), in order.
    public private(set) var transcript: [String] = []
    private let lines: LineDaemonDouble

    /// The services smtpd 7.8 knows (`table_service_from_name`); `none` is refused too.
    public static let serviceNames: Set<String> = [
        "alias", "domain", "credentials", "netaddr", "userinfo", "source", "mailaddr",
        "addrname", "mailaddrmap", "relayhost", "string", "regex", "auth",
    ]

    /// Starts `executable` as smtpd 7.6+ starts a table: argv[0] = `name`, argv[1] = the
    /// config part of `BACKEND:CONFIG` when there is one, one blocking socket as fd 0 and 1.
    public static func start(
        executable: String, name: String, config: String?,
        environment: [String: String] = [:]
    ) throws -> LineTableDouble {
        let process = try FilterProcess(
            executable: executable, name: name, arguments: config.map { [$0] } ?? [],
            environment: environment, nonBlocking: false, channelOnStandardOutput: true)
        return LineTableDouble(process: process, name: name)
    }

    /// Speaks to a started table process.
    public init(process: FilterProcess, name: String) {
        self.process = process
        self.name = name
        self.lines = LineDaemonDouble(process: process)
    }

    // MARK: - Lines

    /// Sends one line (a `\n` is added).
    public func send(line: String) throws {
        transcript.append("> " + line)
        try lines.send(line: line)
    }

    /// Sends raw bytes (for malformed input).
    public func send(bytes: [UInt8]) throws {
        transcript.append("> " + String(decoding: bytes, as: UTF8.self))
        try lines.send(bytes)
    }

    /// The next line from the table, without its `\n`.
    public func receiveLine(timeout: Double = 5) throws -> String {
        let line = try lines.receiveLine(timeout: timeout)
        transcript.append("< " + line)
        return line
    }

    /// Whether the table sends a line within `timeout` seconds (it stays queued); having
    /// exited counts as no line.
    public func lineArrives(within timeout: Double) throws -> Bool {
        do {
            return try lines.lineArrives(within: timeout)
        } catch DoubleError.channelClosed {
            return false
        }
    }

    // MARK: - Handshake

    /// The `config|` lines `table_proc_open` sends, in its order.
    public static func configLines(smtpdVersion: String = "7.8.0p1", protocolVersion: String = "0.1", name: String) -> [String] {
        ["config|smtpd-version|\(smtpdVersion)", "config|protocol|\(protocolVersion)", "config|tablename|\(name)", "config|ready"]
    }

    /// Sends the handshake and reads the registration as smtpd does: every line must be
    /// `register|SERVICE` with a known service other than `none`, up to `register|ready`;
    /// at least one service. Returns the services in the order registered.
    public func handshake(smtpdVersion: String = "7.8.0p1", protocolVersion: String = "0.1", timeout: Double = 5) throws -> [String] {
        for line in Self.configLines(smtpdVersion: smtpdVersion, protocolVersion: protocolVersion, name: name) {
            try send(line: line)
        }
        var services: [String] = []
        while true {
            let line: String
            do {
                line = try receiveLine(timeout: timeout)
            } catch DoubleError.channelClosed {
                throw DoubleError.malformed("table-proc: unexpected EOF during handshake")
            }
            guard line.hasPrefix("register|") else { throw DoubleError.malformed("table-proc: invalid handshake reply: \(line)") }
            let service = String(line.dropFirst("register|".count))
            if service == "ready" { break }
            guard Self.serviceNames.contains(service) else { throw DoubleError.malformed("table-proc: unknown service \(service)") }
            services.append(service)
        }
        guard !services.isEmpty else { throw DoubleError.malformed("table-proc: no services registered") }
        return services
    }

    // MARK: - Requests

    /// A fresh request id as smtpd makes one: `%08x` of a random 32-bit number.
    public static func makeID() -> String {
        let digits = String(UInt32.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The current time as smtpd writes it, `%lld.%06ld`.
    public static func timestamp() -> String {
        var now = timeval()
        gettimeofday(&now, nil)
        let micros = String(now.tv_usec)
        return "\(now.tv_sec)." + String(repeating: "0", count: 6 - micros.count) + micros
    }

    /// A request line as `table_proc_send` writes it: `table|0.1|TIME|NAME|OP` then
    /// `|SERVICE|ID[|KEY]`, or `|ID` for update (service nil).
    public static func requestLine(
        table: String, operation: String, service: String?, id: String, key: String?,
        timestamp: String, version: String = "0.1"
    ) -> String {
        var line = "table|\(version)|\(timestamp)|\(table)|\(operation)"
        if let service {
            line += "|\(service)|\(id)"
            if let key { line += "|\(key)" }
        } else {
            line += "|\(id)"
        }
        return line
    }

    /// Sends `update` and reads its reply.
    public func update(id: String = makeID(), timeout: Double = 5) throws -> LineTableAnswer {
        try request("update", service: nil, id: id, key: nil, timeout: timeout)
    }

    /// Sends `check` and reads its reply.
    public func check(service: String, key: String, id: String = makeID(), timeout: Double = 5) throws -> LineTableAnswer {
        try request("check", service: service, id: id, key: key, timeout: timeout)
    }

    /// Sends `lookup` and reads its reply.
    public func lookup(service: String, key: String, id: String = makeID(), timeout: Double = 5) throws -> LineTableAnswer {
        try request("lookup", service: service, id: id, key: key, timeout: timeout)
    }

    /// Sends `fetch` and reads its reply.
    public func fetch(service: String, id: String = makeID(), timeout: Double = 5) throws -> LineTableAnswer {
        try request("fetch", service: service, id: id, key: nil, timeout: timeout)
    }

    private func request(_ operation: String, service: String?, id: String, key: String?, timeout: Double) throws -> LineTableAnswer {
        try send(
            line: Self.requestLine(
                table: name, operation: operation, service: service, id: id, key: key,
                timestamp: Self.timestamp()))
        let line: String
        do {
            line = try receiveLine(timeout: timeout)
        } catch DoubleError.channelClosed {
            throw DoubleError.malformed("table-proc: getline: the table closed the channel")
        }
        return try Self.parseReply(line, operation: operation, id: id)
    }

    /// Checks a reply as `table_proc_recv` and the operation's function do, stricter where
    /// they compare only a prefix.
    public static func parseReply(_ line: String, operation: String, id: String) throws -> LineTableAnswer {
        let head = "\(operation)-result|\(id)|"
        guard line.hasPrefix(head) else { throw DoubleError.malformed("table-proc: failed to parse reply: \(line)") }
        let body = String(line.dropFirst(head.count))
        let result: LineTableAnswer.Result
        if body == "error" {
            result = .error(nil)
        } else if body.hasPrefix("error|") {
            result = .error(String(body.dropFirst("error|".count)))
        } else if operation == "update" {
            guard body == "ok" else { throw DoubleError.malformed("table-proc: failed parse reply: \(line)") }
            result = .ok
        } else if body == "not-found" {
            result = .notFound
        } else if operation == "check" {
            guard body == "found" else { throw DoubleError.malformed("table-proc: failed to parse reply: \(line)") }
            result = .found
        } else {
            guard body.hasPrefix("found|") else { throw DoubleError.malformed("table-proc: failed to parse reply: \(line)") }
            let value = String(body.dropFirst("found|".count))
            guard !value.isEmpty else { throw DoubleError.malformed("table-proc: empty response: \(line)") }
            result = .value(value)
        }
        return LineTableAnswer(line: line, result: result)
    }
}
