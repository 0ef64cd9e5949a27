/// Why the double could not go on.
public enum DoubleError: Error, CustomStringConvertible {
    /// A system call failed.
    case system(String, Int32)
    /// Nothing arrived in time.
    case timeout(String)
    /// The filter closed the channel.
    case channelClosed
    /// The filter sent something the daemon would not accept.
    case malformed(String)

    /// A readable message.
    public var description: String {
        switch self {
        case let .system(call, code): return "\(call) failed: errno \(code)"
        case let .timeout(what): return "timed out waiting for \(what)"
        case .channelClosed: return "the filter closed the channel"
        case let .malformed(what): return "malformed message from the filter: \(what)"
        }
    }
}
