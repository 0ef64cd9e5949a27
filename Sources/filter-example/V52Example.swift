import Logging
import OpenSMTPD

/// The example on filter API 52 (OpenSMTPD 6.0.x).
func v52Example(logger: Logger) -> Filter {
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
    return filter
}
