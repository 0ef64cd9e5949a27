import Logging

/// An OpenSMTPD table backend speaking table API 2 on a descriptor (fd 0 by default).
///
/// smtpd 6.0.x runs `PATH_LIBEXEC/table-BACKEND` for `table NAME BACKEND:CONFIG` with the
/// channel on fd 0, argv[0] = NAME and argv[1] = CONFIG. Set the callbacks, then call
/// ``serve()``:
///
/// ```swift
/// let table = Table()
/// table.onCheck = { service, params, key in key.hasSuffix("@example.org") }
/// table.onLookup = { service, params, key in key == "root" ? "admin@example.org" : nil }
/// try table.serve()
/// ```
///
/// Every request except CLOSE gets exactly one reply of type PROC_TABLE_OK, because the
/// daemon waits for it and exits on anything else:
/// - a callback that throws answers ``TableResult/temporaryFailure`` (`r` = -1) and logs;
/// - a missing ``onCheck``, ``onLookup`` or ``onFetch`` answers a temporary failure too,
///   as the C library does; a missing ``onUpdate`` answers success;
/// - a lookup or fetch returning nil answers "not found" (`r` = 0); an empty value or one
///   longer than ``TableReply/maximumValueLength`` answers a temporary failure.
///
/// Callbacks run on the thread that called ``serve()``, one at a time, in request order.
public final class Table {
    /// PROC_TABLE_UPDATE: reload the table's data. Return true when the update succeeded
    /// (`r` 1), false when it failed (`r` 0); throwing answers `r` -1.
    public var onUpdate: (() throws -> Bool)?
    /// PROC_TABLE_CHECK: whether the key is in the table for the service (`r` 1 or 0).
    public var onCheck: ((TableService, Dict, String) throws -> Bool)?
    /// PROC_TABLE_LOOKUP: the value for the key and service, or nil when there is none.
    public var onLookup: ((TableService, Dict, String) throws -> String?)?
    /// PROC_TABLE_FETCH: the next value for the service, or nil when there is none.
    public var onFetch: ((TableService, Dict) throws -> String?)?
    /// Runs once when ``serve()`` ends normally: after PROC_TABLE_CLOSE or when the daemon
    /// closed the channel. An error it throws is logged.
    public var onClose: (() throws -> Void)?

    /// The table's name from the OPEN handshake (its name in smtpd.conf).
    public internal(set) var name: String?
    /// The daemon's table API version, known after the OPEN handshake.
    public internal(set) var version: UInt32?
    /// Where the library logs. Bootstrap swift-log to stderr in a table program.
    public var logger: Logger

    private let descriptor: Int32
    private var warnedMissing: Set<TableMessageType> = []

    /// Creates a table on `descriptor`, the daemon's channel (fd 0 for a real table).
    public init(descriptor: Int32 = 0, logger: Logger = Logger(label: "opensmtpd.table")) {
        self.descriptor = descriptor
        self.logger = logger
    }

    /// Answers the daemon until it sends PROC_TABLE_CLOSE or closes the channel, then
    /// runs ``onClose`` and returns.
    ///
    /// The first request must be OPEN with API version ``TableVersion``.
    ///
    /// - Throws: ``ProtocolError`` for malformed input (including
    ///   ``ProtocolError/tableVersionMismatch(expected:received:)``), ``TransportError``
    ///   when the channel fails. The program cannot go on after either: print the error
    ///   and exit non-zero.
    public func serve() throws {
        try TableRequestLoop(table: self, descriptor: descriptor).run()
        finish()
    }

    private func finish() {
        guard let onClose else { return }
        do { try onClose() } catch { logger.error("close callback failed: \(error)") }
    }

    /// The reply to one request, computed with the callbacks; nil for OPEN and CLOSE,
    /// whose handling belongs to ``serve()``. Never throws: failures become
    /// ``TableResult/temporaryFailure`` and a log line.
    public func reply(to request: DaemonTableMessage) -> TableReply? {
        switch request {
        case .open, .close:
            return nil
        case .update:
            guard let onUpdate else { return .result(.found) }
            return resultReply(request) { try onUpdate() }
        case let .check(service, params, key):
            guard let onCheck else { return missing(request) }
            return resultReply(request) { try onCheck(service, params, key) }
        case let .lookup(service, params, key):
            guard let onLookup else { return missing(request) }
            return valueReply(request) { try onLookup(service, params, key) }
        case let .fetch(service, params):
            guard let onFetch else { return missing(request) }
            return valueReply(request) { try onFetch(service, params) }
        }
    }

    /// Runs a callback; nil (and a log line) when it throws.
    private func attempt<Answer>(_ request: DaemonTableMessage, _ callback: () throws -> Answer) -> Answer? {
        do {
            return try callback()
        } catch {
            logger.error(
                "\(request.type.callbackName) callback failed, answering temporary failure: \(error)",
                metadata: metadata(for: request))
            return nil
        }
    }

    /// `r` for an UPDATE or CHECK callback: 1 for true, 0 for false, -1 when it throws.
    private func resultReply(_ request: DaemonTableMessage, _ callback: () throws -> Bool) -> TableReply {
        guard let answer = attempt(request, callback) else { return .result(.temporaryFailure) }
        return .result(answer ? .found : .notFound)
    }

    /// The reply for a LOOKUP or FETCH callback: its value, 0 for nil, -1 when it throws or
    /// returns a value the daemon cannot take.
    private func valueReply(_ request: DaemonTableMessage, _ callback: () throws -> String?) -> TableReply {
        guard let found = attempt(request, callback) else { return .result(.temporaryFailure) }
        guard let value = found else { return .result(.notFound) }
        if value.isEmpty {
            logger.error(
                "\(request.type.callbackName) callback returned an empty value, answering temporary failure",
                metadata: metadata(for: request))
            return .result(.temporaryFailure)
        }
        if value.utf8.count > TableReply.maximumValueLength {
            logger.error(
                """
                \(request.type.callbackName) callback returned \(value.utf8.count) bytes, more than \
                \(TableReply.maximumValueLength) fit into a reply; answering temporary failure
                """,
                metadata: metadata(for: request))
            return .result(.temporaryFailure)
        }
        return .value(value)
    }

    private func missing(_ request: DaemonTableMessage) -> TableReply {
        if warnedMissing.insert(request.type).inserted {
            logger.warning("no \(request.type.callbackName) callback: answering \(request.type) with temporary failure")
        }
        return .result(.temporaryFailure)
    }

    private func metadata(for request: DaemonTableMessage) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["table": "\(name ?? "?")"]
        switch request {
        case let .check(service, _, key), let .lookup(service, _, key):
            metadata["service"] = "\(service)"
            metadata["key"] = "\(key)"
        case let .fetch(service, _):
            metadata["service"] = "\(service)"
        case .open, .close, .update:
            break
        }
        return metadata
    }
}
