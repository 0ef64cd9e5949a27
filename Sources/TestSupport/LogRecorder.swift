import Logging
import Synchronization

/// Log lines collected in the test process, for tests that check what was logged.
public final class LogRecorder: Sendable {
    /// An empty recorder.
    public init() {}

    private let lines = Mutex<[String]>([])

    /// Every line so far, as `level message`.
    public var all: [String] { lines.withLock { $0 } }

    /// Adds a line.
    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// A logger writing into this recorder.
    public func logger() -> Logger {
        Logger(label: "test") { _ in RecordingHandler(recorder: self) }
    }

    private struct RecordingHandler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            recorder.append("\(event.level) \(event.message)")
        }
    }
}
