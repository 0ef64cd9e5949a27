import Foundation
import Logging
import OpenSMTPD
import SMTPDTestDouble
import Synchronization

/// Log lines collected from a filter running in the test process.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    /// Every line so far, as `level message`.
    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// A logger writing into this recorder.
    func logger() -> Logger {
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

/// Runs a ``Filter`` on its own thread over a socketpair and registers it with the double.
/// The filter stops when the returned double (and so the daemon's end) is released.
func startInProcessFilter(
    logs: LogRecorder = LogRecorder(),
    configure: @escaping @Sendable (Filter) -> Void
) throws -> SMTPDDouble {
    let (channel, filterEnd) = try DaemonChannel.pair()
    let thread = Thread {
        let filter = Filter(descriptor: filterEnd, logger: logs.logger())
        configure(filter)
        do { try filter.serve() } catch { logs.append("serve failed: \(error)") }
        close(filterEnd)
    }
    thread.start()
    let smtpd = SMTPDDouble(channel: channel)
    _ = try smtpd.register(name: "in-process")
    return smtpd
}
