import Logging
import OpenSMTPD

/// The example on the line protocol (OpenSMTPD 6.6+).
func lineExample(logger: Logger) -> LineFilter {
    let filter = LineFilter(logger: logger)
    let helo: (LineSession, String) -> LineFilterResult = { _, name in
        name == "test" ? .reject(code: 550, text: "5.7.1 Hello rejected") : .proceed
    }
    filter.onHELO = helo
    filter.onEHLO = helo
    filter.onMailFrom = { _, address in
        address.domain.isEmpty && !address.user.isEmpty
            ? .reject(code: 553, text: "5.1.8 Sender address has no domain") : .proceed
    }
    filter.onDataLine = { _, _ in .unchanged }
    return filter
}
