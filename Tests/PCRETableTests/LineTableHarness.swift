import SMTPDTestDouble
import Testing

/// Starts `table-pcre` as smtpd 7.6+ does for `table NAME pcre:CONFIG` and does the handshake.
func startLineTablePCRE(config: String, name: String = "aliases") throws -> (smtpd: LineTableDouble, services: [String]) {
    let smtpd = try LineTableDouble.start(executable: tablePCREPath, name: name, config: config)
    let services = try smtpd.handshake()
    return (smtpd, services)
}

/// A fixed timestamp for golden request lines.
let goldenTime = "1764060000.000001"
