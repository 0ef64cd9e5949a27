import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// The daemon side of filter API 52, step by step, over a ``DaemonChannel``: what
/// smtpd/filter.c of OpenSMTPD-portable 6.0.x sends and what it checks in the answers.
public final class SMTPDDouble {
    /// The channel to the filter under test.
    public let process: DaemonChannel
    private var nextQueryID: UInt64 = 0x1000
    /// Keeps the filter process alive as long as the double.
    private let owner: FilterProcess?

    /// Speaks to a started filter process.
    public init(process: FilterProcess) {
        self.process = process.channel
        self.owner = process
    }

    /// Speaks over a channel (e.g. to a filter running in this process).
    public init(channel: DaemonChannel) {
        self.process = channel
        self.owner = nil
    }

    /// Sends REGISTER and returns the filter's answer frame (hooks and flags are its payload).
    public func register(name: String, version: UInt32 = 52) throws -> ReceivedFrame {
        try process.send(type: Wire.register, payload: Wire.registerPayload(version: version, name: name))
        let frame = try process.receiveFrame()
        guard frame.type == Wire.register, frame.payload.count == 8 else {
            throw DoubleError.malformed("register answer of type \(frame.type), \(frame.payload.count) bytes")
        }
        return frame
    }

    /// Sends an event (no answer expected).
    public func event(_ event: Wire.Event, session: UInt64) throws {
        try process.send(type: Wire.event, payload: Wire.eventPayload(session: session, event: event))
    }

    /// Allocates a query id as `generate_uid` would: unique per query.
    public func makeQueryID() -> UInt64 {
        nextQueryID += 1
        return nextQueryID
    }

    /// Sends a query and returns the query id used.
    @discardableResult
    public func sendQuery(_ query: Wire.Query, session: UInt64, extra: [UInt8] = [], queryID: UInt64? = nil) throws -> UInt64 {
        let qid = queryID ?? makeQueryID()
        try process.send(type: Wire.query, payload: Wire.queryPayload(session: session, queryID: qid, query: query, extra: extra))
        return qid
    }

    /// Reads the next frame and checks it is the response to `queryID` of type `query`, as
    /// the daemon does (a type mismatch makes smtpd exit).
    public func expectResponse(to queryID: UInt64, _ query: Wire.Query, timeout: Double = 5) throws -> (frame: ReceivedFrame, response: ParsedResponse) {
        let frame = try process.receiveFrame(timeout: timeout)
        guard let response = ParsedResponse(frame) else {
            throw DoubleError.malformed("expected a response, got type \(frame.type) with \(frame.payload.count) bytes")
        }
        guard response.queryID == queryID, response.type == query.rawValue else {
            throw DoubleError.malformed("expected the answer to \(query) \(queryID), got \(response)")
        }
        return (frame, response)
    }

    /// Sends a query and waits for its response.
    public func ask(_ query: Wire.Query, session: UInt64, extra: [UInt8] = []) throws -> ParsedResponse {
        let qid = try sendQuery(query, session: session, extra: extra)
        return try expectResponse(to: qid, query).response
    }

    /// EVENT_CONNECT, then QUERY_CONNECT for 192.0.2.7:40000 → 198.51.100.1:25.
    public func connect(session: UInt64, hostname: String = "mx.example.org") throws -> ParsedResponse {
        try event(.connect, session: session)
        return try ask(.connect, session: session, extra: Self.connectExtra(hostname: hostname))
    }

    /// The CONNECT query's extra payload: local sockaddr, remote sockaddr, hostname.
    public static func connectExtra(hostname: String, remote: [UInt8] = [192, 0, 2, 7], remotePort: UInt16 = 40000) -> [UInt8] {
        var writer = WireWriter()
        writer.sockaddrIPv4([198, 51, 100, 1], port: 25)
        writer.sockaddrIPv4(remote, port: remotePort)
        writer.string(hostname)
        return writer.bytes
    }

    /// A HELO query's extra payload.
    public static func heloExtra(_ name: String) -> [UInt8] {
        var writer = WireWriter()
        writer.string(name)
        return writer.bytes
    }

    /// A MAIL or RCPT query's extra payload.
    public static func mailaddrExtra(user: String, domain: String) -> [UInt8] {
        var writer = WireWriter()
        writer.mailaddr(user: user, domain: domain)
        return writer.bytes
    }

    /// An EOM query's extra payload.
    public static func eomExtra(_ length: UInt32) -> [UInt8] {
        var writer = WireWriter()
        writer.u32(length)
        return writer.bytes
    }
}
