import Logging
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler writing one ``LogLineFormat`` line per message to stderr, in one
/// `write` per line, lines from different threads never mixed.
public struct StandardErrorLogHandler: LogHandler {
    /// The lowest level written.
    public var logLevel: Logger.Level = .info
    /// Metadata added to every line.
    public var metadata: Logger.Metadata = [:]
    /// Metadata looked up at each message.
    public var metadataProvider: Logger.MetadataProvider?
    /// How lines look.
    public let format: LogLineFormat

    /// A handler writing lines of `format` (timestamps when stderr is a terminal, by default).
    public init(
        format: LogLineFormat = .forStandardError,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.format = format
        self.metadataProvider = metadataProvider
    }

    /// One metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event's line: handler metadata, then the provider's, then the message's own.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        let line = format.line(level: event.level, message: event.message.description, metadata: merged, time: time(nil))
        Self.write(Array((line + "\n").utf8))
    }

    private static let writing = Mutex(())

    private static func write(_ bytes: [UInt8]) {
        writing.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}
