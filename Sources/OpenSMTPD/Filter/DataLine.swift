/// One line of message data as it travels through the data pipe, without its `\n`.
///
/// The bytes are kept exactly as received: they need not be UTF-8.
public struct DataLine: Equatable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The line's bytes, without the terminating newline.
    public var bytes: [UInt8]

    /// Creates a line from raw bytes (without a newline).
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Creates a line from text (without a newline).
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    /// Creates a line from a string literal.
    public init(stringLiteral value: String) { self.init(value) }

    /// The line as text; bytes that are not UTF-8 are shown as U+FFFD.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The line as text.
    public var description: String { text }
}

/// What a data-line callback does with the line it was given.
public enum DataLineOutput: Equatable, Sendable {
    /// Pass the line on byte for byte, newline included (or absent, for a last line that had none).
    case unchanged
    /// Drop the line.
    case dropped
    /// Replace the line with these lines (none, one, or several), each written with a `\n`.
    case replaced([DataLine])

    /// Keep the line and add lines after it.
    public static func appending(_ original: DataLine, _ lines: [DataLine]) -> DataLineOutput {
        .replaced([original] + lines)
    }
}
