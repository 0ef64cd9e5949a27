/// A frame the double received from the filter, with its raw bytes for golden comparisons.
public struct ReceivedFrame: Sendable, Equatable {
    /// The whole frame as it came off the socket (header and payload).
    public var bytes: [UInt8]
    /// The descriptor that arrived with it, if any (the receiver owns it).
    public var descriptor: Int32?

    /// The imsg type from the header.
    public var type: UInt32 { Self.u32(bytes, 0) }
    /// The length field from the header.
    public var length: Int { Int(bytes[4]) | Int(bytes[5]) << 8 }
    /// The flags field from the header.
    public var flags: UInt16 { UInt16(bytes[6]) | UInt16(bytes[7]) << 8 }
    /// The pid field from the header.
    public var pid: UInt32 { Self.u32(bytes, 12) }
    /// The payload after the 16-byte header.
    public var payload: [UInt8] { Array(bytes[16...]) }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }

    static func u64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }
}

/// A filter's IMSG_FILTER_RESPONSE, parsed by the layout of `filter_imsg` in smtpd/filter.c.
public struct ParsedResponse: Sendable, Equatable, CustomStringConvertible {
    /// The query id answered.
    public var queryID: UInt64
    /// The query type answered.
    public var type: Int32
    /// The byte count, present for EOM only.
    public var dataLength: UInt32?
    /// FILTER_OK 0, FILTER_FAIL 1, FILTER_CLOSE 2.
    public var status: Int32
    /// The SMTP code, 0 for the default.
    public var code: Int32
    /// The reply text, when present.
    public var line: String?

    /// Parses a response frame; nil when it is not a well-formed response.
    public init?(_ frame: ReceivedFrame) {
        guard frame.type == Wire.response else { return nil }
        let p = frame.payload
        guard p.count >= 12 else { return nil }
        queryID = ReceivedFrame.u64(p, 0)
        type = Int32(bitPattern: ReceivedFrame.u32(p, 8))
        var at = 12
        if type == Wire.Query.eom.rawValue {
            guard p.count >= at + 4 else { return nil }
            dataLength = ReceivedFrame.u32(p, at)
            at += 4
        }
        guard p.count >= at + 8 else { return nil }
        status = Int32(bitPattern: ReceivedFrame.u32(p, at))
        code = Int32(bitPattern: ReceivedFrame.u32(p, at + 4))
        at += 8
        if at < p.count {
            guard p.last == 0, let nul = p[at...].firstIndex(of: 0), nul == p.count - 1 else { return nil }
            line = String(decoding: p[at..<nul], as: UTF8.self)
        }
    }

    /// `qid type status code "line"` for messages.
    public var description: String {
        "response(qid \(queryID), type \(type), datalen \(dataLength.map(String.init) ?? "-"), status \(status), code \(code), line "
            + "\(line.map { "\"\($0)\"" } ?? "-"))"
    }
}
