import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// A rules file in a temporary directory, rewritable for reload tests.
typealias TemporaryRulesFile = TemporaryFile

/// Starts `filter-rules` as smtpd 6.0.x would (argv[0] "rules", the file, then flags) and registers it.
func startServing(_ rules: TemporaryRulesFile, extraArguments: [String] = []) throws -> (process: FilterProcess, smtpd: SMTPDDouble) {
    let process = try FilterProcess(
        executable: FilterProcess.builtExecutable(named: "filter-rules"),
        name: "rules", arguments: [rules.path] + extraArguments)
    let smtpd = SMTPDDouble(process: process)
    _ = try smtpd.register(name: "rules")
    return (process, smtpd)
}

/// Waits until the filter's stderr contains `text` (up to `timeout` seconds).
func waitForLog(_ process: FilterProcess, containing text: String, timeout: Double = 5) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if process.stderrText.contains(text) { return true }
        usleep(10_000)
    }
    return false
}

/// How many times `text` occurs in the filter's stderr.
func logCount(_ process: FilterProcess, _ text: String) -> Int {
    process.stderrText.components(separatedBy: text).count - 1
}

/// Asks HELO `name` for `session` and returns the code (0 when accepted).
func heloCode(_ smtpd: SMTPDDouble, _ session: UInt64, _ name: String) throws -> Int32 {
    try smtpd.ask(.helo, session: session, extra: SMTPDDouble.heloExtra(name)).code
}

/// Connects a session from `address` (IPv4 bytes) with `hostname`.
func connect(_ smtpd: SMTPDDouble, session: UInt64, address: [UInt8] = [192, 0, 2, 7], hostname: String = "client.example") throws -> ParsedResponse {
    try smtpd.event(.connect, session: session)
    return try smtpd.ask(.connect, session: session, extra: SMTPDDouble.connectExtra(hostname: hostname, remote: address))
}
