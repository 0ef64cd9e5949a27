// filter-example: the Go seed's example filter on the Swift library.
//
// Rejects HELO "test", rejects MAIL FROM with a user but an empty domain, accepts
// everything else and passes message data through unchanged. smtpd may append -d and -v.
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

let filter = Filter(logger: logger)
filter.onHELO = { session, name in
    if name == "test" {
        // A reject with status ok is sent as FILTER_FAIL with the daemon's default reply.
        session.reject(status: .ok, code: 0)
    } else {
        session.accept()
    }
}
filter.onMAIL = { session, user, domain in
    if domain.isEmpty && !user.isEmpty {
        session.reject(status: .fail, code: 553, line: "5.1.8 Sender address has no domain")
    } else {
        session.accept()
    }
}
filter.onDataLine = { _, _ in .unchanged }

do {
    try filter.serve()
} catch {
    logger.critical("filter-example: \(error)")
    exit(1)
}
