import Logging

/// Logging for programs smtpd runs: every logger writes ``LogLineFormat`` lines to stderr,
/// which smtpd captures (stdout may be the daemon's channel).
public enum DaemonLogging {
    /// Sends every logger to stderr, at debug level when `verbose` (smtpd's `-v`), else info;
    /// lines carry a timestamp only when stderr is a terminal, unless `format` says otherwise.
    public static func bootstrap(verbose: Bool, format: LogLineFormat = .forStandardError) {
        LoggingSystem.bootstrap { _ in
            var handler = StandardErrorLogHandler(format: format)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
    }
}
