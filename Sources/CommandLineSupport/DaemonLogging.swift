import Logging

/// Logging for programs smtpd runs: swift-log to stderr, which smtpd captures (stdout may
/// be the daemon's channel).
public enum DaemonLogging {
    /// Sends every logger to stderr, at debug level when `verbose` (smtpd's `-v`), else info.
    public static func bootstrap(verbose: Bool) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
    }
}
