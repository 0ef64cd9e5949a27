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

/// Little-endian bytes of a 32-bit value.
func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) } }

/// Little-endian bytes of a 64-bit value.
func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
