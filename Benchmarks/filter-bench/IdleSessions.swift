import SMTPDTestDouble

/// Idle sessions through a real filter-rules: HELO latency of one active session with none
/// and with N idle sessions open (filter API 52), and the filter's resident memory per idle
/// session (both protocols).
enum IdleSessions {
    /// Sessions opened per round trip (their answers are read before more are sent).
    static let chunk = 2_000

    /// v52: latency with no idle session, latency with `sessions` idle ones, and the RSS
    /// growth per idle session in bytes.
    static func v52(_ executable: String, rules: String, sessions: Int, queries: Int) throws
        -> (idle: LatencySummary, busy: LatencySummary, bytesPerSession: Double)
    {
        let process = try FilterProcess(executable: executable, name: "rules", arguments: [rules])
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
        let active: UInt64 = 0xac71_fe00_0000
        try smtpd.event(.connect, session: active)
        try expectAccepted(try smtpd.ask(.connect, session: active, extra: SMTPDDouble.connectExtra(hostname: "active.example")), "CONNECT")
        let idle = try latencies(smtpd, session: active, queries: queries)
        let before = try resident(process)
        let extra = SMTPDDouble.connectExtra(hostname: "idle.example")
        for first in stride(from: 0, to: sessions, by: chunk) {
            let count = min(chunk, sessions - first)
            var bytes: [UInt8] = []
            for session in UInt64(first + 1)...UInt64(first + count) {
                bytes += Wire.frame(type: Wire.event, payload: Wire.eventPayload(session: session, event: .connect))
                bytes += Wire.frame(type: Wire.query, payload: Wire.queryPayload(session: session, queryID: smtpd.makeQueryID(), query: .connect, extra: extra))
            }
            try smtpd.process.sendBytes(bytes)
            for _ in 0..<count {
                guard let response = ParsedResponse(try smtpd.process.receiveFrame(timeout: 30)) else {
                    throw BenchmarkFailure("not a response to CONNECT")
                }
                try expectAccepted(response, "CONNECT of an idle session")
            }
        }
        let after = try resident(process)
        let busy = try latencies(smtpd, session: active, queries: queries)
        return (idle, busy, Double(after - before) * 1024 / Double(sessions))
    }

    /// Line protocol: the RSS growth per idle session (link-connect and connect) in bytes.
    static func line(_ executable: String, rules: String, sessions: Int) throws -> Double {
        let process = try FilterProcess(
            executable: executable, name: "filter-rules", arguments: [rules],
            channelOnStandardOutput: true)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        try smtpd.report("link-connect", session: 1, parameters: "a.example|pass|192.0.2.7:4000|192.0.2.1:25")
        _ = try smtpd.query("helo", session: 1, parameters: "warm.example")
        let before = try resident(process)
        for first in stride(from: 0, to: sessions, by: chunk) {
            let count = min(chunk, sessions - first)
            var bytes: [UInt8] = []
            for session in UInt64(first + 2)...UInt64(first + count + 1) {
                let id = LineDaemonDouble.hex(session)
                bytes += Array("report|0.6|1764060000.000001|smtp-in|link-connect|\(id)|idle.example|pass|192.0.2.7:4000|192.0.2.1:25\n".utf8)
                bytes += Array("filter|0.6|1764060000.000002|smtp-in|connect|\(id)|\(id)|idle.example|192.0.2.7\n".utf8)
            }
            try smtpd.send(bytes)
            for _ in 0..<count {
                let answer = try smtpd.receiveLine(timeout: 30)
                guard answer.hasSuffix("|proceed") else { throw BenchmarkFailure("connect of an idle session: \(answer)") }
            }
        }
        let after = try resident(process)
        return Double(after - before) * 1024 / Double(sessions)
    }

    private static func latencies(_ smtpd: SMTPDDouble, session: UInt64, queries: Int) throws -> LatencySummary {
        let extra = SMTPDDouble.heloExtra("active.example")
        var samples: [Double] = []
        samples.reserveCapacity(queries)
        for _ in 0..<queries {
            let start = ContinuousClock.now
            let response = try smtpd.ask(.helo, session: session, extra: extra)
            samples.append(seconds(ContinuousClock.now - start))
            try expectAccepted(response, "HELO")
        }
        return LatencySummary(samples)
    }

    static func resident(_ process: FilterProcess) throws -> Int {
        guard let kilobytes = process.residentKilobytes else { throw BenchmarkFailure("the filter is gone") }
        return kilobytes
    }
}
