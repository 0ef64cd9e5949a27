import Foundation
import Logging
import OpenSMTPD
import SMTPDTestDouble
import Synchronization
import TestSupport

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
