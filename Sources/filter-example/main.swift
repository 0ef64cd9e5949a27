// filter-example: the example filter of the Go package `opensmtpd.v52` on the Swift
// library, for OpenSMTPD 6.0.x (filter API 52) and, detected from the daemon's first bytes,
// 6.6+ (the line protocol).
//
// Rejects HELO "test", rejects MAIL FROM with a user but an empty domain, accepts
// everything else and passes message data through unchanged. smtpd may append -d and -v.
// It leaves every signal disposition as it found it: the library's writes never raise SIGPIPE.
import Logging
import OpenSMTPD
#if canImport(Glibc)
    import Glibc
#endif

let arguments = FilterArguments(CommandLine.arguments)
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = arguments.verbosity > 0 ? .debug : .info
    return handler
}
let logger = Logger(label: "filter-example")

do {
    switch DaemonProtocol.detect(descriptor: 0) {
    case .filterAPI52: try v52Example(logger: logger).serve()
    case .lineProtocol: try lineExample(logger: logger).serve()
    }
} catch {
    logger.critical("filter-example: \(error)")
    exit(1)
}
