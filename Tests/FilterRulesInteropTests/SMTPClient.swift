import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Runs `SMTPClientScript` with python3, one process per session.
struct SMTPClient {
    /// The interpreter: Debian's python3 (package `python3`), else the first on PATH.
    static let python: [String] =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        ? ["/usr/bin/python3"] : ["/usr/bin/env", "python3"]
    /// Where the script lives.
    let scriptPath: String
    /// The server's port on 127.0.0.1.
    let port: Int
    /// A directory for the clients' input, output and marker files.
    let directory: String

    /// A client process started on a plan, not yet waited for (killed when released running).
    struct Running {
        fileprivate let process: SpawnedProcess
        fileprivate let outputPath: String
    }

    /// Starts one session, held back by `gate`.
    func start(_ plan: SMTPSessionPlan, gate: SessionGate = SessionGate()) throws -> Running {
        var json: [String: Any] = ["port": port, "timeout": plan.timeout, "name": plan.name, "rcpt": plan.recipients]
        json["greeting"] = plan.greeting ?? NSNull()
        json["mail"] = plan.mail ?? NSNull()
        json["message"] = plan.message.map { Data($0).base64EncodedString() } ?? NSNull()
        json["connect_after"] = gate.connectAfter ?? NSNull()
        json["greeted"] = gate.greeted ?? NSNull()
        json["proceed_after"] = gate.proceedAfter ?? NSNull()
        let outputPath = directory + "/client-\(UUID().uuidString).json"
        let inputPath = outputPath + ".in"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: inputPath))
        let process = try SpawnedProcess(
            executable: Self.python[0], arguments: Self.python.dropFirst() + [scriptPath],
            inputPath: inputPath, outputPath: outputPath, errorPath: outputPath + ".err")
        return Running(process: process, outputPath: outputPath)
    }

    /// Waits for a started session (killing it after `timeout` seconds) and reads its transcript.
    func finish(_ running: Running, timeout: Double) throws -> SMTPTranscript {
        guard running.process.waitForExit(timeout: timeout) else {
            kill(running.process.pid, SIGKILL)
            running.process.waitUntilExit()
            throw InteropError.timedOut("waiting for the SMTP client (\(timeout) s)")
        }
        let output = ProcessTable.contents(of: running.outputPath) ?? []
        do {
            return try JSONDecoder().decode(SMTPTranscript.self, from: Data(output))
        } catch {
            let errors = ProcessTable.contents(of: running.outputPath + ".err").map { String(decoding: $0, as: UTF8.self) } ?? ""
            throw InteropError.clientOutput("\(running.process.exitDescription): \(String(decoding: output, as: UTF8.self)) \(errors)")
        }
    }

    /// Runs one session to its end.
    func run(_ plan: SMTPSessionPlan) throws -> SMTPTranscript {
        try finish(start(plan), timeout: plan.timeout * 3)
    }

    /// Runs all sessions at the same time: every client is started before any is waited
    /// for; they connect one after the other, each once the one before was greeted (smtpd
    /// listens with a backlog of 5: a burst of SYNs would be dropped and retried for
    /// seconds), hold their sessions open after the greeting, and go on with their
    /// transactions together once the last one was greeted.
    func runConcurrently(_ plans: [SMTPSessionPlan]) throws -> [SMTPTranscript] {
        let marker = directory + "/greeted-\(UUID().uuidString)-"
        let running = try plans.indices.map { index in
            try start(
                plans[index],
                gate: SessionGate(
                    connectAfter: index == 0 ? nil : marker + String(index - 1),
                    greeted: marker + String(index),
                    proceedAfter: marker + String(plans.count - 1)))
        }
        return try zip(running, plans).map { try finish($0, timeout: $1.timeout * Double(3 + SessionGate.waits)) }
    }
}
