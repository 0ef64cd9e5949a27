/// A violation of the OpenSMTPD wire protocol detected while decoding what the daemon sent.
///
/// Every case carries enough context for a one-line message on stderr; a filter that meets
/// one cannot trust the rest of the byte stream and must stop.
public enum ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A frame header announced a length below the 16-byte header size.
    case frameTooShort(length: Int)
    /// A frame header announced a length above the largest frame the reader accepts.
    case frameTooLong(length: Int, maximum: Int)
    /// The stream ended in the middle of a frame.
    case truncatedFrame(bufferedBytes: Int)
    /// A payload ended before a field could be read.
    case payloadTooShort(context: String, needed: Int, remaining: Int)
    /// A payload had bytes left after its last field.
    case trailingBytes(context: String, count: Int)
    /// A string field had no terminating NUL byte.
    case unterminatedString(context: String)
    /// A frame flagged with a descriptor arrived without one.
    case missingDescriptor(messageType: UInt32)
    /// A descriptor arrived for a frame that is not supposed to carry one.
    case unexpectedDescriptor(messageType: UInt32)
    /// The kernel dropped descriptors because the control buffer was too small.
    case descriptorsTruncated
    /// A message type this API does not define.
    case unknownMessageType(UInt32)
    /// An event code this API does not define.
    case unknownEvent(Int32)
    /// A query code this API does not define.
    case unknownQuery(Int32)
    /// A length field inside a payload is out of range.
    case lengthOutOfRange(context: String, length: UInt64)
    /// The daemon speaks another version of the API.
    case versionMismatch(expected: UInt32, received: UInt32)
    /// The daemon speaks another version of the table API.
    case tableVersionMismatch(expected: UInt32, received: UInt32)
    /// A message arrived that is valid but not allowed at this point of the conversation.
    case unexpectedMessage(String)

    /// A one-line, human-readable description of the violation.
    public var description: String {
        switch self {
        case let .frameTooShort(length):
            return "imsg frame length \(length) is below the 16-byte header"
        case let .frameTooLong(length, maximum):
            return "imsg frame length \(length) exceeds the maximum of \(maximum) bytes"
        case let .truncatedFrame(buffered):
            return "channel closed in the middle of a frame (\(buffered) bytes buffered)"
        case let .payloadTooShort(context, needed, remaining):
            return "\(context): payload too short (needed \(needed) more bytes, \(remaining) left)"
        case let .trailingBytes(context, count):
            return "\(context): \(count) unexpected bytes after the last field"
        case let .unterminatedString(context):
            return "\(context): string without terminating NUL"
        case let .missingDescriptor(type):
            return "imsg type \(type) is flagged with a descriptor but none arrived"
        case let .unexpectedDescriptor(type):
            return "imsg type \(type) carries a descriptor it must not carry"
        case .descriptorsTruncated:
            return "descriptors were lost in transit (control data truncated)"
        case let .unknownMessageType(type):
            return "unknown imsg type \(type)"
        case let .unknownEvent(code):
            return "unknown filter event \(code)"
        case let .unknownQuery(code):
            return "unknown filter query \(code)"
        case let .lengthOutOfRange(context, length):
            return "\(context): length field \(length) out of range"
        case let .versionMismatch(expected, received):
            return "API version mismatch: this filter speaks \(expected), the daemon \(received)"
        case let .tableVersionMismatch(expected, received):
            return "table API version mismatch: this table speaks \(expected), the daemon \(received)"
        case let .unexpectedMessage(what):
            return "unexpected message: \(what)"
        }
    }
}
