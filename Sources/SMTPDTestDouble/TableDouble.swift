/// A table's reply as smtpd/table_proc.c reads it: `int r`, then for a found LOOKUP or
/// FETCH the value.
public struct TableAnswer: Sendable, Equatable, CustomStringConvertible {
    /// The frame as received (for golden comparisons).
    public var frame: ReceivedFrame
    /// 1 found, 0 not found, -1 temporary failure.
    public var result: Int32
    /// The value, for a found LOOKUP or FETCH.
    public var value: String?

    /// `r` and the value.
    public var description: String { "r \(result)" + (value.map { " \"\($0)\"" } ?? "") }
}

/// The daemon side of table API 2 over a ``DaemonChannel``: sends what smtpd/table_proc.c
/// of OpenSMTPD-portable 6.0.x sends, one request at a time, and checks every reply as
/// strictly as the daemon does (it exits on any violation; the double throws
/// ``DoubleError/malformed(_:)``).
public final class TableDouble {
    /// The channel to the table under test.
    public let channel: DaemonChannel
    /// The table process, when the double started it.
    public let process: FilterProcess?

    /// Speaks to a started table process.
    public init(process: FilterProcess) {
        self.channel = process.channel
        self.process = process
    }

    /// Speaks over a channel (e.g. to a table running in this process).
    public init(channel: DaemonChannel) {
        self.channel = channel
        self.process = nil
    }

    /// Starts `executable` as smtpd's `fork_proc_backend` does: a blocking fd 0, argv[0] =
    /// the table's name, argv[1] = the config part of `BACKEND:CONFIG` when there is one.
    public static func start(
        executable: String, name: String, config: String?,
        environment: [String: String] = [:]
    ) throws -> TableDouble {
        let process = try FilterProcess(
            executable: executable, name: name, arguments: config.map { [$0] } ?? [],
            environment: environment, nonBlocking: false)
        return TableDouble(process: process)
    }

    /// Sends OPEN and checks the reply: type PROC_TABLE_OK with an empty payload.
    @discardableResult
    public func open(name: String, version: UInt32 = TableWire.version, timeout: Double = 5) throws -> ReceivedFrame {
        try channel.send(type: TableWire.MessageType.open.rawValue, payload: TableWire.openPayload(version: version, name: name))
        let frame = try receiveOK(timeout: timeout)
        guard frame.payload.isEmpty else { throw DoubleError.malformed("OPEN reply with \(frame.payload.count) bytes: bogus data") }
        return frame
    }

    /// Sends UPDATE and reads `int r`.
    public func update(timeout: Double = 5) throws -> TableAnswer {
        try channel.send(type: TableWire.MessageType.update.rawValue, payload: [])
        return try receiveAnswer(withValue: false, timeout: timeout)
    }

    /// Sends CHECK and reads `int r`.
    public func check(service: Int32, params: [(String, String)] = [], key: String, timeout: Double = 5) throws -> TableAnswer {
        try channel.send(
            type: TableWire.MessageType.check.rawValue,
            payload: TableWire.keyedPayload(service: service, params: params, key: key))
        return try receiveAnswer(withValue: false, timeout: timeout)
    }

    /// Sends LOOKUP and reads `int r` and, when r is 1, the value.
    public func lookup(service: Int32, params: [(String, String)] = [], key: String, timeout: Double = 5) throws -> TableAnswer {
        try channel.send(
            type: TableWire.MessageType.lookup.rawValue,
            payload: TableWire.keyedPayload(service: service, params: params, key: key))
        return try receiveAnswer(withValue: true, timeout: timeout)
    }

    /// Sends FETCH and reads `int r` and, when r is 1, the value.
    public func fetch(service: Int32, params: [(String, String)] = [], timeout: Double = 5) throws -> TableAnswer {
        try channel.send(
            type: TableWire.MessageType.fetch.rawValue,
            payload: TableWire.fetchPayload(service: service, params: params))
        return try receiveAnswer(withValue: true, timeout: timeout)
    }

    /// Sends CLOSE (no reply is expected; the table should exit).
    public func close() throws {
        try channel.send(type: TableWire.MessageType.close.rawValue, payload: [])
    }

    // MARK: - Checking replies

    private func receiveOK(timeout: Double) throws -> ReceivedFrame {
        let frame = try channel.receiveFrame(timeout: timeout)
        guard frame.type == TableWire.MessageType.ok.rawValue else {
            throw DoubleError.malformed("bad response: type \(frame.type), the daemon accepts only PROC_TABLE_OK")
        }
        guard frame.descriptor == nil else { throw DoubleError.malformed("reply with a descriptor") }
        return frame
    }

    private func receiveAnswer(withValue: Bool, timeout: Double) throws -> TableAnswer {
        let frame = try receiveOK(timeout: timeout)
        let payload = frame.payload
        guard payload.count >= 4 else { throw DoubleError.malformed("bad msg len: \(payload.count) bytes, no int r") }
        let result = Int32(bitPattern: ReceivedFrame.u32(payload, 0))
        let rest = payload[4...]
        guard withValue, result == 1 else {
            guard rest.isEmpty else { throw DoubleError.malformed("bogus data: \(rest.count) bytes after r \(result)") }
            return TableAnswer(frame: frame, result: result, value: nil)
        }
        guard !rest.isEmpty else { throw DoubleError.malformed("empty response: r 1 without a value") }
        guard rest.last == 0 else { throw DoubleError.malformed("value not NUL-terminated") }
        guard rest.firstIndex(of: 0) == rest.endIndex - 1 else { throw DoubleError.malformed("NUL inside the value") }
        guard rest.count > 1 else { throw DoubleError.malformed("empty value") }
        return TableAnswer(frame: frame, result: result, value: String(decoding: rest.dropLast(), as: UTF8.self))
    }
}
