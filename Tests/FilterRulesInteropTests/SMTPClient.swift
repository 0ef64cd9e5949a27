import Foundation

/// Runs `SMTPClientScript` with python3, one process per session.
struct SMTPClient {
    /// The interpreter: Debian's python3 (package `python3`), else the first on PATH.
    static let python: [String] = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        ? ["/usr/bin/python3"] : ["/usr/bin/env", "python3"]
    /// Where the script lives.
    let scriptPath: String
    /// The server's port on 127.0.0.1.
    let port: Int
    /// A directory for the clients' output files.
    let directory: String

    /// A client process started on `plan`, not yet waited for.
    final class Running {
        fileprivate let process: Process
        fileprivate let outputPath: String
        fileprivate init(process: Process, outputPath: String) {
            self.process = process
            self.outputPath = outputPath
        }
    }

    /// Starts one session.
    func start(_ plan: SMTPSessionPlan) throws -> Running {
        var json: [String: Any] = ["port": port, "timeout": plan.timeout, "name": plan.name, "rcpt": plan.recipients]
        json["greeting"] = plan.greeting ?? NSNull()
        json["mail"] = plan.mail ?? NSNull()
        json["message"] = plan.message.map { Data($0).base64EncodedString() } ?? NSNull()
        json["connect_at"] = plan.connectAt?.timeIntervalSince1970 ?? NSNull()
        json["proceed_at"] = plan.proceedAt?.timeIntervalSince1970 ?? NSNull()
        let input = try JSONSerialization.data(withJSONObject: json)
        let outputPath = directory + "/client-\(UUID().uuidString).json"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let inputPath = outputPath + ".in"
        try input.write(to: URL(fileURLWithPath: inputPath))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python[0])
        process.arguments = Self.python.dropFirst() + [scriptPath]
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath + ".err").creatingFile())
        try process.run()
        return Running(process: process, outputPath: outputPath)
    }

    /// Waits for a started session (killing it after `timeout` seconds) and reads its transcript.
    func finish(_ running: Running, timeout: Double = 30) throws -> SMTPTranscript {
        if !Deadline.wait(seconds: timeout, until: { !running.process.isRunning }) {
            running.process.terminate()
            running.process.waitUntilExit()
            throw InteropError.timedOut("waiting for the SMTP client (\(timeout) s)")
        }
        running.process.waitUntilExit()
        let output = (try? Data(contentsOf: URL(fileURLWithPath: running.outputPath))) ?? Data()
        let errors = (try? String(contentsOfFile: running.outputPath + ".err", encoding: .utf8)) ?? ""
        do {
            return try JSONDecoder().decode(SMTPTranscript.self, from: output)
        } catch {
            throw InteropError.clientOutput("exit \(running.process.terminationStatus): \(String(decoding: output, as: UTF8.self)) \(errors)")
        }
    }

    /// Runs one session to its end.
    func run(_ plan: SMTPSessionPlan) throws -> SMTPTranscript {
        try finish(start(plan), timeout: plan.timeout * 3)
    }

    /// Runs all sessions at the same time: every client is started before any is waited
    /// for; they connect one after the other, `spacing` seconds apart from `startDelay`
    /// seconds on (smtpd listens with a backlog of 5: a burst of SYNs would be dropped and
    /// retried for seconds), hold their sessions open after the greeting, and go on with
    /// their transactions all at the same moment, a second after the last one connected.
    func runConcurrently(_ plans: [SMTPSessionPlan], startDelay: Double = 1.5, spacing: Double = 0.05) throws -> [SMTPTranscript] {
        let start = Date().addingTimeInterval(startDelay)
        let proceed = start.addingTimeInterval(Double(plans.count) * spacing + 1)
        let running = try plans.enumerated().map { index, plan in
            var plan = plan
            plan.connectAt = start.addingTimeInterval(Double(index) * spacing)
            plan.proceedAt = proceed
            return try self.start(plan)
        }
        return try zip(running, plans).map { try finish($0, timeout: proceed.timeIntervalSinceNow + $1.timeout * 3) }
    }
}

private extension URL {
    /// The URL, after creating an empty file there.
    func creatingFile() -> URL {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
