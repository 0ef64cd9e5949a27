internal import CHiredis

/// A reply of the Redis server.
public indirect enum RedisReply: Hashable, Sendable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// The reply hiredis parsed (the object is not freed here).
    init(_ reply: UnsafePointer<redisReply>) {
        let value = reply.pointee
        func text() -> [UInt8] {
            guard let pointer = value.str else { return [] }
            return pointer.withMemoryRebound(to: UInt8.self, capacity: value.len) { Array(UnsafeBufferPointer(start: $0, count: value.len)) }
        }
        switch value.type {
        case REDIS_REPLY_STATUS: self = .status(String(decoding: text(), as: UTF8.self))
        case REDIS_REPLY_ERROR: self = .error(String(decoding: text(), as: UTF8.self))
        case REDIS_REPLY_INTEGER: self = .integer(value.integer)
        case REDIS_REPLY_STRING: self = .bulk(text())
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            for index in 0..<value.elements {
                if let element = value.element[index] { elements.append(RedisReply(element)) }
            }
            self = .array(elements)
        default: self = .null
        }
    }

    /// The integer of an integer reply.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// Why a command got no reply.
public enum RedisFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// No reply by the command's deadline.
    case timeout
    /// The connection could not be made or broke.
    case disconnected(String)
    /// The server sent what is not RESP (the connection is dropped and made again).
    case protocolError(String)
    /// The circuit breaker is open after failures in a row: no command is sent for a while.
    case unavailable
    /// The client was shut down.
    case shutDown

    /// The reason in a few words.
    public var description: String {
        switch self {
        case .timeout: return "timeout"
        case .disconnected(let why): return "not connected: \(why)"
        case .protocolError(let why): return "protocol error: \(why)"
        case .unavailable: return "unavailable after failures in a row"
        case .shutDown: return "shut down"
        }
    }
}
