import SMTPDTestDouble
import Testing

/// Starts `filter-example` as smtpd would and registers it.
func startRegisteredExample(arguments: [String] = []) throws -> (process: FilterProcess, smtpd: SMTPDDouble) {
    let process = try FilterProcess(
        executable: FilterProcess.builtExecutable(named: "filter-example"),
        name: "example", arguments: arguments)
    let smtpd = SMTPDDouble(process: process)
    _ = try smtpd.register(name: "example")
    return (process, smtpd)
}
