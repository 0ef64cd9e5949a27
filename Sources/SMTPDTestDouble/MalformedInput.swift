/// Bytes a test sends to a filter or table that must end it with a clear message: a
/// malformed frame or payload, optionally followed by the daemon closing the channel.
public struct MalformedInput: Sendable, CustomStringConvertible {
    /// What is wrong with the input (the test case's name).
    public let name: String
    /// The raw bytes to send.
    public let bytes: [UInt8]
    /// Whether the daemon closes the channel after the bytes (e.g. a truncated frame).
    public let closeAfter: Bool
    /// Text the program's stderr must contain.
    public let message: String

    /// Creates a case.
    public init(name: String, bytes: [UInt8], closeAfter: Bool = false, message: String) {
        self.name = name
        self.bytes = bytes
        self.closeAfter = closeAfter
        self.message = message
    }

    /// The name, which test reports show for the case.
    public var description: String { name }

    /// Sends the bytes over `channel`, then closes it when ``closeAfter`` says so.
    public func send(over channel: DaemonChannel) throws {
        try channel.sendBytes(bytes)
        if closeAfter { channel.closeChannel() }
    }
}
