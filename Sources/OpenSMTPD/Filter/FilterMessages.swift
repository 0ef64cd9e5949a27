/// A message from the daemon to a filter, decoded from an imsg frame.
public enum DaemonFilterMessage: Equatable, Sendable {
    /// IMSG_FILTER_REGISTER: the daemon's API version and the filter's configured name.
    case register(version: UInt32, name: String)
    /// IMSG_FILTER_EVENT.
    case event(session: UInt64, event: FilterEvent)
    /// IMSG_FILTER_QUERY.
    case query(session: UInt64, queryID: UInt64, query: FilterQuery)
    /// IMSG_FILTER_PIPE: the sink descriptor for a session's message data.
    case pipe(session: UInt64, sink: Int32)

    /// Decodes a frame, validating every field as the C reader does.
    ///
    /// - Throws: ``ProtocolError`` for an unknown type, a short or long payload, an
    ///   unterminated string, an unknown event or query, or a missing descriptor.
    public init(frame: IMSGFrame) throws(ProtocolError) {
        guard let type = FilterMessageType(rawValue: frame.type) else {
            throw .unknownMessageType(frame.type)
        }
        if type != .pipe, frame.descriptor != nil {
            throw .unexpectedDescriptor(messageType: frame.type)
        }
        switch type {
        case .register:
            var reader = PayloadReader(frame.payload, context: "IMSG_FILTER_REGISTER")
            let version = try reader.readUInt32()
            let name = try reader.readString()
            try reader.finish()
            self = .register(version: version, name: name)
        case .event:
            var reader = PayloadReader(frame.payload, context: "IMSG_FILTER_EVENT")
            let session = try reader.readUInt64()
            let code = try reader.readInt32()
            try reader.finish()
            guard let event = FilterEvent(rawValue: code) else { throw .unknownEvent(code) }
            self = .event(session: session, event: event)
        case .query:
            self = try Self.decodeQuery(frame.payload)
        case .pipe:
            var reader = PayloadReader(frame.payload, context: "IMSG_FILTER_PIPE")
            let session = try reader.readUInt64()
            try reader.finish()
            guard let sink = frame.descriptor else { throw .missingDescriptor(messageType: frame.type) }
            self = .pipe(session: session, sink: sink)
        case .response:
            throw .unexpectedMessage("IMSG_FILTER_RESPONSE is only sent by filters")
        }
    }

    private static func decodeQuery(_ payload: [UInt8]) throws(ProtocolError) -> DaemonFilterMessage {
        var reader = PayloadReader(payload, context: "IMSG_FILTER_QUERY")
        let session = try reader.readUInt64()
        let queryID = try reader.readUInt64()
        let code = try reader.readInt32()
        guard let type = QueryType(rawValue: code), type != .dataLine else { throw .unknownQuery(code) }
        reader.context = type.description
        let query: FilterQuery
        switch type {
        case .connect:
            let local = try reader.readSockaddr()
            let remote = try reader.readSockaddr()
            let hostname = try reader.readString()
            query = .connect(ConnectQuery(local: local, remote: remote, hostname: hostname))
        case .helo:
            query = .helo(try reader.readString())
        case .mail:
            query = .mail(try reader.readMailAddress())
        case .rcpt:
            query = .rcpt(try reader.readMailAddress())
        case .data:
            query = .data
        case .eom:
            query = .eom(dataLength: try reader.readUInt32())
        case .dataLine:
            throw .unknownQuery(code)
        }
        try reader.finish()
        return .query(session: session, queryID: queryID, query: query)
    }

    /// Encodes the message as the daemon would send it (used by tests and tools).
    public func frame(pid: UInt32 = 0) -> IMSGFrame {
        var writer = PayloadWriter()
        switch self {
        case let .register(version, name):
            writer.appendUInt32(version)
            writer.appendString(name)
            return IMSGFrame(type: FilterMessageType.register.rawValue, payload: writer.bytes, pid: pid)
        case let .event(session, event):
            writer.appendUInt64(session)
            writer.appendInt32(event.rawValue)
            return IMSGFrame(type: FilterMessageType.event.rawValue, payload: writer.bytes, pid: pid)
        case let .query(session, queryID, query):
            writer.appendUInt64(session)
            writer.appendUInt64(queryID)
            writer.appendInt32(query.type.rawValue)
            switch query {
            case let .connect(connect):
                writer.appendSockaddr(connect.local)
                writer.appendSockaddr(connect.remote)
                writer.appendString(connect.hostname)
            case let .helo(line):
                writer.appendString(line)
            case let .mail(address), let .rcpt(address):
                writer.appendMailAddress(address)
            case .data:
                break
            case let .eom(length):
                writer.appendUInt32(length)
            }
            return IMSGFrame(type: FilterMessageType.query.rawValue, payload: writer.bytes, pid: pid)
        case let .pipe(session, sink):
            writer.appendUInt64(session)
            return IMSGFrame(type: FilterMessageType.pipe.rawValue, payload: writer.bytes, descriptor: sink, pid: pid)
        }
    }
}

/// A message from a filter to the daemon.
public enum FilterReply: Equatable, Sendable {
    /// IMSG_FILTER_REGISTER: the hooks the filter wants and its flags.
    case register(hooks: FilterHooks, flags: Int32)
    /// IMSG_FILTER_RESPONSE: the answer to one query. `dataLength` is sent only for EOM.
    case response(queryID: UInt64, type: QueryType, dataLength: UInt32?, status: FilterStatus, code: Int32, line: String?)
    /// IMSG_FILTER_PIPE: the input end of the filter's data pipe for a session.
    case pipe(session: UInt64, input: Int32)

    /// Longest reply text sent to the daemon; longer text is cut (an SMTP reply line is
    /// at most 512 bytes anyway).
    public static let maximumLineLength = 1000

    /// Encodes the reply as an imsg frame, in the layout `filter_imsg` in smtpd/filter.c reads.
    public func frame(pid: UInt32 = 0) -> IMSGFrame {
        var writer = PayloadWriter()
        switch self {
        case let .register(hooks, flags):
            writer.appendInt32(hooks.rawValue)
            writer.appendInt32(flags)
            return IMSGFrame(type: FilterMessageType.register.rawValue, payload: writer.bytes, pid: pid)
        case let .response(queryID, type, dataLength, status, code, line):
            writer.appendUInt64(queryID)
            writer.appendInt32(type.rawValue)
            if type == .eom { writer.appendUInt32(dataLength ?? 0) }
            writer.appendInt32(status.rawValue)
            writer.appendInt32(code)
            if let line { writer.appendString(Self.sanitizedLine(line)) }
            return IMSGFrame(type: FilterMessageType.response.rawValue, payload: writer.bytes, pid: pid)
        case let .pipe(session, input):
            writer.appendUInt64(session)
            return IMSGFrame(type: FilterMessageType.pipe.rawValue, payload: writer.bytes, descriptor: input, pid: pid)
        }
    }

    /// Makes a reply text safe to put into an SMTP reply: CR, LF and NUL become spaces (no
    /// reply injection) and the text is cut to ``maximumLineLength`` bytes on a character
    /// boundary.
    public static func sanitizedLine(_ line: String) -> String {
        var result = ""
        var length = 0
        for scalar in line.unicodeScalars {
            let replaced: Unicode.Scalar = (scalar == "\r" || scalar == "\n" || scalar == "\0") ? " " : scalar
            let width = String(replaced).utf8.count
            if length + width > maximumLineLength { break }
            result.unicodeScalars.append(replaced)
            length += width
        }
        return result
    }
}
