/// A request from the daemon to a table, decoded from an imsg frame in the layout
/// smtpd/table_proc.c writes.
public enum DaemonTableMessage: Equatable, Sendable {
    /// PROC_TABLE_OPEN: `struct table_open_params`, the API version and the table's name.
    case open(version: UInt32, name: String)
    /// PROC_TABLE_UPDATE: reload; answered with a ``TableResult``.
    case update
    /// PROC_TABLE_CLOSE: the daemon is done; not answered.
    case close
    /// PROC_TABLE_CHECK: whether `key` is in the table for `service`.
    case check(service: TableService, params: Dict, key: String)
    /// PROC_TABLE_LOOKUP: the value of `key` for `service`.
    case lookup(service: TableService, params: Dict, key: String)
    /// PROC_TABLE_FETCH: the next value for `service`.
    case fetch(service: TableService, params: Dict)

    /// Size of the name field of `struct table_open_params` (LINE_MAX on Linux).
    public static let openNameSize = 2048

    /// The message type of the request.
    public var type: TableMessageType {
        switch self {
        case .open: return .open
        case .update: return .update
        case .close: return .close
        case .check: return .check
        case .lookup: return .lookup
        case .fetch: return .fetch
        }
    }

    /// Decodes a frame, validating every field as the C library does: the OPEN payload is
    /// exactly 4 + 2048 bytes, strings end with NUL, and no bytes may follow the last field.
    ///
    /// - Throws: ``ProtocolError``: an unknown type, a reply type, a descriptor, a short or
    ///   long payload, an unterminated string, a params count larger than the payload can
    ///   hold, or (``ProtocolError/tableVersionMismatch(expected:received:)``) an OPEN for
    ///   another API version, whose layout is unknown.
    public init(frame: IMSGFrame) throws(ProtocolError) {
        guard let type = TableMessageType(rawValue: frame.type) else {
            throw .unknownMessageType(frame.type)
        }
        if frame.descriptor != nil {
            throw .unexpectedDescriptor(messageType: frame.type)
        }
        var reader = PayloadReader(frame.payload, context: type.description)
        switch type {
        case .ok, .fail:
            throw .unexpectedMessage("\(type) is only sent by tables")
        case .open:
            let version = try reader.readUInt32()
            guard version == TableVersion else {
                throw .tableVersionMismatch(expected: TableVersion, received: version)
            }
            let name = try reader.readFixedString(size: Self.openNameSize)
            try reader.finish()
            self = .open(version: version, name: name)
        case .update:
            try reader.finish()
            self = .update
        case .close:
            try reader.finish()
            self = .close
        case .check, .lookup:
            let service = TableService(rawValue: try reader.readInt32())
            let params = try Self.readParams(&reader)
            let key = try reader.readString()
            try reader.finish()
            self =
                type == .check
                ? .check(service: service, params: params, key: key)
                : .lookup(service: service, params: params, key: key)
        case .fetch:
            let service = TableService(rawValue: try reader.readInt32())
            let params = try Self.readParams(&reader)
            try reader.finish()
            self = .fetch(service: service, params: params)
        }
    }

    /// Reads `size_t count` then `count` NUL-terminated key/value pairs.
    private static func readParams(_ reader: inout PayloadReader) throws(ProtocolError) -> Dict {
        let count = try reader.readSize()
        // Each pair takes at least two bytes (two empty strings).
        guard count <= UInt64(reader.remainingCount / 2) else {
            throw .lengthOutOfRange(context: "\(reader.context) params count", length: count)
        }
        var pairs: [(String, String)] = []
        for _ in 0..<count {
            pairs.append((try reader.readString(), try reader.readString()))
        }
        return Dict(pairs)
    }

    /// Encodes the request as the daemon sends it (for tests and tools).
    public func frame(pid: UInt32 = 0) -> IMSGFrame {
        var writer = PayloadWriter()
        switch self {
        case let .open(version, name):
            writer.appendUInt32(version)
            writer.appendFixedString(name, size: Self.openNameSize)
        case .update, .close:
            break
        case let .check(service, params, key), let .lookup(service, params, key):
            writer.appendInt32(service.rawValue)
            Self.appendParams(params, to: &writer)
            writer.appendString(key)
        case let .fetch(service, params):
            writer.appendInt32(service.rawValue)
            Self.appendParams(params, to: &writer)
        }
        return IMSGFrame(type: type.rawValue, payload: writer.bytes, pid: pid)
    }

    private static func appendParams(_ params: Dict, to writer: inout PayloadWriter) {
        writer.appendSize(UInt64(params.count))
        for (key, value) in params {
            writer.appendString(key)
            writer.appendString(value)
        }
    }
}

/// A table's reply to the daemon. Every reply has type PROC_TABLE_OK: the daemon exits on
/// any other type, so failures travel as ``TableResult/temporaryFailure`` inside it.
public enum TableReply: Equatable, Sendable {
    /// The answer to OPEN: an empty payload.
    case opened
    /// `int r` alone: the answer to UPDATE and CHECK, and to LOOKUP and FETCH when
    /// nothing was found (`r` 0) or the lookup failed (`r` -1).
    case result(TableResult)
    /// `int r` = 1 then the NUL-terminated value: the answer to LOOKUP and FETCH when found.
    case value(String)

    /// Longest value (in UTF-8 bytes) that fits into one frame with `r` and the NUL.
    public static let maximumValueLength = IMSGHeader.maximumFrameSize - IMSGHeader.size - 4 - 1

    /// The `r` the reply carries, or nil for ``opened``.
    public var result: TableResult? {
        switch self {
        case .opened: return nil
        case let .result(result): return result
        case .value: return .found
        }
    }

    /// Encodes the reply as a PROC_TABLE_OK frame in the layout smtpd/table_proc.c reads.
    ///
    /// - Throws: ``ProtocolError/frameTooLong(length:maximum:)`` for a value longer than
    ///   ``maximumValueLength``.
    public func frame(pid: UInt32 = 0) throws(ProtocolError) -> IMSGFrame {
        var writer = PayloadWriter()
        switch self {
        case .opened:
            break
        case let .result(result):
            writer.appendInt32(result.rawValue)
        case let .value(value):
            writer.appendInt32(TableResult.found.rawValue)
            writer.appendString(value)
        }
        let length = IMSGHeader.size + writer.bytes.count
        guard length <= IMSGHeader.maximumFrameSize else {
            throw .frameTooLong(length: length, maximum: IMSGHeader.maximumFrameSize)
        }
        return IMSGFrame(type: TableMessageType.ok.rawValue, payload: writer.bytes, pid: pid)
    }
}
