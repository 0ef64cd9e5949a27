import Logging

/// An OpenSMTPD table backend speaking the text protocol of OpenSMTPD 7.6 and later
/// (smtpd-tables(7), protocol 0.1) on stdin and stdout.
///
/// smtpd runs `PATH_LIBEXEC/table-BACKEND` for `table NAME BACKEND:CONFIG` with one socket
/// as stdin and stdout, argv[0] = NAME and argv[1] = CONFIG. It sends `config|...` lines
/// ending with `config|ready`; the table registers ``services`` (`register|SERVICE`, then
/// `register|ready`) and answers requests one line each. The callbacks are those of the
/// table API 2 ``Table`` (see ``TableCallbacks``), so one program serves both:
///
/// ```swift
/// let table = LineTable()
/// table.services = [.alias]
/// table.onLookup = { service, params, key in key == "root" ? "admin@example.org" : nil }
/// try table.serve()
/// ```
///
/// Every request gets exactly one reply that smtpd accepts (it exits on any other):
/// - a callback that throws answers `error|MESSAGE` (the error's description) and logs;
/// - a missing ``onCheck``, ``onLookup`` or ``onFetch`` answers `error`, a missing
///   ``onUpdate`` answers `ok`; an update callback returning false answers `error`;
/// - a lookup or fetch returning nil answers `not-found`; an empty value, or one with a line
///   break, answers `error`;
/// - a request for a service smtpd names but this library does not know answers `error`.
///
/// A line that is not the protocol (another version, a malformed or unknown request) ends
/// ``serve()`` with a ``LineTableError``: print it and exit non-zero. `params` are always
/// empty: the text protocol has none.
///
/// The protocol logic is in ``handle(line:)``, which takes one line and returns the bytes
/// to send back, so it can be driven in memory. Callbacks run on the thread that called
/// ``serve()``, one at a time, in request order.
public final class LineTable: TableCallbacks {
    /// The protocol version this library speaks (`config|protocol|0.1`).
    public static let protocolVersion = "0.1"

    /// `update`: reload the table's data. Return true when the update succeeded (`ok`),
    /// false when it failed (`error`); a thrown error's description is sent with `error|`.
    public var onUpdate: (() throws -> Bool)?
    /// `check`: whether the key is in the table for the service (`found` or `not-found`).
    public var onCheck: ((TableService, Dict, String) throws -> Bool)?
    /// `lookup`: the value for the key and service, or nil when there is none.
    public var onLookup: ((TableService, Dict, String) throws -> String?)?
    /// `fetch`: the next value for the service, or nil when there is none.
    public var onFetch: ((TableService, Dict) throws -> String?)?
    /// Runs once when ``serve()`` ends normally, when smtpd closed the channel. An error it
    /// throws is logged.
    public var onClose: (() throws -> Void)?

    /// The services registered at `config|ready`, in bit order (``TableService/any`` by
    /// default: every service but ``TableService/auth``). smtpd checks them only for `auth`.
    public var services: TableService = .any
    /// Where the library logs. Logs must go to stderr: stdout is smtpd's channel.
    public var logger: Logger
    /// Longest line accepted from smtpd (its keys are shorter than 1024 bytes).
    public var maximumLineLength = 65536

    /// The table's name from `config|tablename`.
    public private(set) var name: String?
    /// The `config|KEY|VALUE` lines of the handshake (`smtpd-version`, `protocol`, ...).
    public private(set) var configuration: [String: String] = [:]
    /// Whether `config|ready` has been answered with the registration.
    public private(set) var isRegistered = false

    private let input: Int32
    private let output: Int32
    private var warnedMissing: Set<String> = []

    /// Creates a table reading smtpd from `input` and answering on `output`.
    public init(input: Int32 = 0, output: Int32 = 1, logger: Logger = Logger(label: "opensmtpd.line-table")) {
        self.input = input
        self.output = output
        self.logger = logger
    }

    /// Answers smtpd until it closes the channel, then runs ``onClose`` and returns.
    ///
    /// - Throws: ``LineTableError``: malformed input, no services, or a failed channel. The
    ///   program cannot go on: print the error and exit non-zero.
    public func serve() throws {
        guard !services.members.isEmpty else { throw LineTableError.noServices }
        let channel = LineChannel(input: input, output: output, maximumLineLength: maximumLineLength)
        do {
            while let line = try channel.readLine() {
                let answer: [UInt8]
                do {
                    answer = try handle(line: line)
                } catch {
                    // The replies to the requests before the bad line still go out.
                    try? channel.flush()
                    throw error
                }
                try channel.queue(answer)
            }
            try channel.flush()
        } catch let error as LineProtocolError {
            throw LineTableError.channel(error)
        }
        if let stopped = channel.peerStoppedReading {
            logger.debug("smtpd stopped reading (\(stopped.reason))")
        } else {
            logger.debug("smtpd closed the channel")
        }
        guard let onClose else { return }
        do { try onClose() } catch { logger.error("close callback failed: \(error)") }
    }

    /// Handles one line from smtpd (without its `\n`) and returns the bytes to send back:
    /// nothing for a `config|` line, the registration for `config|ready`, one reply line
    /// for a request.
    ///
    /// - Throws: ``LineTableError`` for a line outside the protocol.
    public func handle(line bytes: [UInt8]) throws(LineTableError) -> [UInt8] {
        if bytes.starts(with: Self.configPrefix) {
            return try handshake(bytes)
        }
        guard bytes.starts(with: Self.requestPrefix) else {
            throw .malformed("expected a config| or table| line", line: String(decoding: bytes, as: UTF8.self))
        }
        guard isRegistered else {
            throw .outOfOrder("request before config|ready", line: String(decoding: bytes, as: UTF8.self))
        }
        switch try LineTableRequest.parse(bytes, table: name) {
        case let .success(request):
            return Array(reply(to: request).line.utf8)
        case let .failure(unknown):
            logger.error("request for the unknown service '\(unknown.service)', answering error")
            let reply = LineTableReply(
                operation: unknown.operation, id: unknown.id,
                result: .error("unknown service \(unknown.service)"))
            return Array(reply.line.utf8)
        }
    }

    private static let configPrefix = Array("config|".utf8)
    private static let requestPrefix = Array("table|".utf8)

    /// A `config|` line: stored; at `config|ready` the registration goes out.
    private func handshake(_ bytes: [UInt8]) throws(LineTableError) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard !isRegistered else { throw .outOfOrder("config line after config|ready", line: text) }
        let body = text.dropFirst("config|".count)
        if body == "ready" {
            guard configuration["protocol"] != nil else { throw .outOfOrder("config|ready before config|protocol", line: text) }
            guard name != nil else { throw .outOfOrder("config|ready before config|tablename", line: text) }
            guard !services.members.isEmpty else { throw .noServices }
            isRegistered = true
            logger.debug("table \"\(name ?? "")\": registering \(services)")
            let lines = services.members.map { "register|\($0.description)\n" }
            return Array((lines.joined() + "register|ready\n").utf8)
        }
        guard let bar = body.firstIndex(of: "|"), bar != body.startIndex else {
            throw .malformed("expected config|KEY|VALUE or config|ready", line: text)
        }
        let key = String(body[..<bar]), value = String(body[body.index(after: bar)...])
        switch key {
        case "protocol":
            guard value == Self.protocolVersion else { throw .unsupportedVersion(value, line: text) }
        case "tablename":
            guard !value.isEmpty else { throw .malformed("empty table name", line: text) }
            name = value
        default:
            break
        }
        configuration[key] = value
        return []
    }

    // MARK: - Answering

    /// The reply to `request`, computed with the callbacks. Never throws: failures become
    /// `error` replies and a log line.
    public func reply(to request: LineTableRequest) -> LineTableReply {
        LineTableReply(operation: request.operation.name, id: request.id, result: result(for: request))
    }

    private func result(for request: LineTableRequest) -> LineTableReply.Result {
        switch request.operation {
        case .update:
            guard let onUpdate else { return .ok }
            return attempt(request) { try onUpdate() ? .ok : .error("update failed") }
        case let .check(service, key):
            guard let onCheck else { return missing(request) }
            return attempt(request) { try onCheck(service, [:], key) ? .found : .notFound }
        case let .lookup(service, key):
            guard let onLookup else { return missing(request) }
            return attempt(request) { try value(request, onLookup(service, [:], key)) }
        case let .fetch(service):
            guard let onFetch else { return missing(request) }
            return attempt(request) { try value(request, onFetch(service, [:])) }
        }
    }

    /// Runs a callback; a thrown error becomes `error|DESCRIPTION` and a log line.
    private func attempt(_ request: LineTableRequest, _ callback: () throws -> LineTableReply.Result) -> LineTableReply.Result {
        do {
            return try callback()
        } catch {
            logger.error("\(request.operation.name) callback failed, answering error: \(error)", metadata: metadata(for: request))
            return .error("\(error)")
        }
    }

    /// The result for a lookup or fetch value: `not-found` for nil, `error` for a value
    /// smtpd cannot take.
    private func value(_ request: LineTableRequest, _ found: String?) -> LineTableReply.Result {
        guard let found else { return .notFound }
        guard LineTableReply.isSendable(value: found) else {
            let what = found.isEmpty ? "an empty value" : "a value with a line break or NUL"
            logger.error("\(request.operation.name) callback returned \(what), answering error", metadata: metadata(for: request))
            return .error("\(request.operation.name) returned \(what)")
        }
        return .value(found)
    }

    private func missing(_ request: LineTableRequest) -> LineTableReply.Result {
        if warnedMissing.insert(request.operation.name).inserted {
            logger.warning("no \(request.operation.name) callback: answering \(request.operation.name) with error")
        }
        return .error("no \(request.operation.name) callback")
    }

    private func metadata(for request: LineTableRequest) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["table": "\(request.table)"]
        switch request.operation {
        case let .check(service, key), let .lookup(service, key):
            metadata["service"] = "\(service)"
            metadata["key"] = "\(key)"
        case let .fetch(service):
            metadata["service"] = "\(service)"
        case .update:
            break
        }
        return metadata
    }
}
