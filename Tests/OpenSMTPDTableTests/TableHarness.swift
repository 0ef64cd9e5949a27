import SMTPDTestDouble
import Testing

/// Starts `table-example` as smtpd would (no config argument).
func startExample(environment: [String: String] = [:]) throws -> TableDouble {
    try TableDouble.start(
        executable: FilterProcess.builtExecutable(named: "table-example"), name: "example",
        config: nil, environment: environment)
}

/// Starts `table-example` and opens it.
func startOpenedExample(environment: [String: String] = [:]) throws -> TableDouble {
    let smtpd = try startExample(environment: environment)
    try smtpd.open(name: "example")
    return smtpd
}

/// Whether the table sent nothing within `timeout` seconds (having exited counts as nothing).
func noReply(_ smtpd: TableDouble, within timeout: Double = 0.05) throws -> Bool {
    do {
        return try !smtpd.channel.frameArrives(within: timeout)
    } catch DoubleError.channelClosed {
        return true
    }
}
