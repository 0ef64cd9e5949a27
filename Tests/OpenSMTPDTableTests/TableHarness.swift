import SMTPDTestDouble
import Testing

/// Little-endian bytes of a 32-bit value.
func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) } }

/// Little-endian bytes of a signed 32-bit value.
func le32(_ value: Int32) -> [UInt8] { le32(UInt32(bitPattern: value)) }

/// Little-endian bytes of a 64-bit value.
func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }

/// Starts `table-example` as smtpd would (no config argument).
func startExample(environment: [String: String] = [:]) throws -> TableDouble {
    try TableDouble.start(executable: FilterProcess.builtExecutable(named: "table-example"), name: "example",
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
