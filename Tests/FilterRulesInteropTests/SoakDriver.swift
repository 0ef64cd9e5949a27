import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Runs `SoakDriverScript` against a server: writes the script, the message templates and
/// the plan into the run's directory, starts the driver, and reads its summary.
struct SoakDriver {
    let server: RealSMTPD
    /// Concurrent clients.
    let workers: Int
    /// Seconds after which no worker starts another session.
    let seconds: Double

    /// Seconds a client waits for any reply, connecting included.
    static let replyTimeout = 20.0
    /// Seconds over which the workers' first connections are spread.
    static let ramp = 1.0
    /// Clients that may be between connect() and the greeting at once: fewer than smtpd's
    /// listen backlog of 5 (see `SoakDriverScript`).
    static let connecting = 4

    private var summaryPath: String { server.directory + "/soak-summary.json" }
    private var logPath: String { server.directory + "/soak-driver.log" }

    /// Starts the driver; its sessions begin at once.
    func start() throws -> SpawnedProcess {
        let directory = server.directory
        try RealSMTPD.write(SoakDriverScript.source, to: directory + "/soak-driver.py")
        var messages: [String: String] = [:]
        for message in SoakMessage.allCases {
            let path = directory + "/soak-\(message.rawValue).eml"
            try Data(message.template).write(to: URL(fileURLWithPath: path))
            messages[message.rawValue] = path
        }
        let kinds: [[String: Any]] = SoakSessionKind.cycle.map { kind in
            ["greeting": kind.greeting, "name": kind.heloName, "mail": kind.mail, "rcpt": kind.recipients, "message": kind.message.rawValue]
        }
        let plan: [String: Any] = [
            "port": server.port, "workers": workers, "seconds": seconds, "timeout": Self.replyTimeout, "ramp": Self.ramp, "connecting": Self.connecting,
            "placeholder": SoakMessage.placeholder, "messages": messages, "kinds": kinds, "output": summaryPath,
        ]
        let planPath = directory + "/soak-plan.json"
        try JSONSerialization.data(withJSONObject: plan).write(to: URL(fileURLWithPath: planPath))
        return try SpawnedProcess(
            executable: SMTPClient.python[0], arguments: SMTPClient.python.dropFirst() + [directory + "/soak-driver.py"],
            inputPath: planPath, outputPath: logPath)
    }

    /// Waits up to `timeout` seconds for the driver to end (then kills it) and reads its summary.
    func finish(_ driver: SpawnedProcess, timeout: Double) throws -> SoakSummary {
        guard driver.waitForExit(timeout: timeout) else {
            kill(driver.pid, SIGKILL)
            driver.waitUntilExit()
            throw InteropError.timedOut("waiting for the soak driver (\(timeout) s)")
        }
        let output = ProcessTable.contents(of: summaryPath) ?? []
        do {
            return try JSONDecoder().decode(SoakSummary.self, from: Data(output))
        } catch {
            let log = ProcessTable.contents(of: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw InteropError.clientOutput("soak driver \(driver.exitDescription), \(output.count) bytes of summary (\(error)): \(log)")
        }
    }
}
