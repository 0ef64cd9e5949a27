import SMTPDTestDouble

/// A check of the benchmark failed: its figures would be meaningless.
struct BenchmarkFailure: Error, CustomStringConvertible {
    /// What went wrong.
    let description: String

    init(_ description: String) { self.description = description }
}

/// Fails the benchmark unless the filter accepted `step` (FILTER_OK).
func expectAccepted(_ response: ParsedResponse, _ step: String) throws {
    guard response.status == 0 else { throw BenchmarkFailure("\(step) was not accepted: \(response)") }
}

extension SMTPDDouble {
    /// Runs one data phase with `message` (DATA must have been accepted) and fails the
    /// benchmark unless the filter accepts it at EOM and gives it back byte for byte.
    /// Returns the seconds the data phase took (PIPE, the message, EOM).
    func pushAcceptedMessage(_ message: [UInt8], session: UInt64) throws -> Double {
        let start = ContinuousClock.now
        let pushed = try pushMessage(message, session: session, timeout: 600)
        let elapsed = seconds(ContinuousClock.now - start)
        try expectAccepted(pushed.response, "EOM")
        guard pushed.response.dataLength == UInt32(message.count) else {
            throw BenchmarkFailure("EOM answer carries \(pushed.response.dataLength.map(String.init) ?? "no") bytes, expected \(message.count)")
        }
        guard pushed.output == message else {
            throw BenchmarkFailure("the message came back changed: \(pushed.output.count) bytes for \(message.count)")
        }
        return elapsed
    }
}
