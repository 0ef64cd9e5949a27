import SMTPDTestDouble

/// A daemon that sends queries and never reads the answers, on filter API 52.
enum UnreadPeer {
    /// What the filter did meanwhile.
    struct Result {
        /// HELO queries the daemon could send.
        var queries: Int
        /// The filter's RSS when the daemon started, and when it gave up (KiB).
        var startKiB: Int
        var endKiB: Int
    }

    /// Sends HELO queries for `seconds` without reading (whenever the socket takes them).
    static func v52(_ executable: String, rules: String, seconds: Double) throws -> Result {
        let process = try FilterProcess(executable: executable, name: "rules", arguments: [rules])
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
        try smtpd.event(.connect, session: 1)
        try expectAccepted(try smtpd.ask(.connect, session: 1, extra: SMTPDDouble.connectExtra(hostname: "a.example")), "CONNECT")
        let query = Wire.frame(
            type: Wire.query,
            payload: Wire.queryPayload(
                session: 1, queryID: 9, query: .helo,
                extra: SMTPDDouble.heloExtra("spam")))
        let perBatch = 64
        let batch = Array([[UInt8]](repeating: query, count: perBatch).joined())
        let start = try IdleSessions.resident(process)
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var batches = 0
        while ContinuousClock.now < deadline {
            batches += try smtpd.process.sendUntilBlocked(batch, quietMilliseconds: 20, maximumBytes: 8 << 20)
        }
        let end = try IdleSessions.resident(process)
        return Result(queries: batches * perBatch, startKiB: start, endKiB: end)
    }
}
