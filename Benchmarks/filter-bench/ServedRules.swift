import Foundation
import SMTPDTestDouble

/// A filter-rules process serving a rules file over filter API 52, with a prefilter cache
/// directory of its own (so nothing comes from another run's cache), registered with the
/// smtpd test double: what the reload and envelope modes start from.
struct ServedRules {
    let process: FilterProcess
    let smtpd: SMTPDDouble
    /// Kept for the process's life: the directory goes when this value does.
    let cache: TemporaryDirectory

    /// Starts `filter` (verbose, so the prefilter's progress is logged) on `file`.
    init(filter: String, file: TemporaryFile) throws {
        cache = try TemporaryDirectory()
        process = try FilterProcess(
            executable: filter, name: "rules",
            arguments: ["-v", file.path, "--prefilter-cache", cache.path])
        smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
    }
}

/// Asks `smtpd` RCPT for `person<index>@example.net` in `session`, which must be accepted;
/// the seconds the answer took.
func acceptedRCPT(_ smtpd: SMTPDDouble, session: UInt64, index: Int) throws -> Double {
    let asked = ContinuousClock.now
    try expectAccepted(
        smtpd.ask(.rcpt, session: session, extra: SMTPDDouble.mailaddrExtra(user: "person\(index)", domain: "example.net")),
        "RCPT")
    return seconds(ContinuousClock.now - asked)
}
