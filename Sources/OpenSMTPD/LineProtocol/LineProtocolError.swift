/// A fault in the line protocol that the filter cannot answer its way around.
public enum LineProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The daemon speaks a major version of the protocol this library does not know.
    case unsupportedVersion(String, line: String)
    /// A version field that is not `MAJOR.MINOR`.
    case malformedVersion(String, line: String)
    /// The channel closed in the middle of a line.
    case truncatedLine(bufferedBytes: Int)
    /// A line longer than the library accepts.
    case lineTooLong(length: Int, maximum: Int)
    /// Reading from or writing to the channel failed.
    case channel(operation: String, errno: Int32)

    /// A one-line, human-readable description.
    public var description: String {
        switch self {
        case let .unsupportedVersion(version, line):
            return
                "unsupported filter protocol version \(version) (this filter speaks \(LineProtocolVersion.oldest) to \(LineProtocolVersion.newest) and later "
                + "0.x): \(line)"
        case let .malformedVersion(version, line):
            return "malformed filter protocol version '\(version)': \(line)"
        case let .truncatedLine(buffered):
            return "channel closed in the middle of a line (\(buffered) bytes buffered)"
        case let .lineTooLong(length, maximum):
            return "line of \(length) bytes exceeds the maximum of \(maximum)"
        case let .channel(operation, code):
            return "\(operation) on the daemon's channel failed: errno \(code)"
        }
    }
}
