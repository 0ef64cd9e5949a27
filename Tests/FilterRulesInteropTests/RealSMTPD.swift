import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// Debian's smtpd running in the foreground (`smtpd -d`) on 127.0.0.1 for one test, with
/// everything of the run (configuration, filter, rules, log, delivered mail) in one
/// directory that the unprivileged smtpd user can read.
final class RealSMTPD {
    /// The daemon (Debian package `opensmtpd`).
    static let executable = "/usr/sbin/smtpd"

    /// Whether the daemon is installed.
    static var isInstalled: Bool { access(executable, X_OK) == 0 }

    /// Whether we may start it (it needs root to drop privileges and own its spool).
    static var canStart: Bool { geteuid() == 0 }

    /// The run's directory (mode 0755).
    let directory: String
    /// The TCP port smtpd listens on, on 127.0.0.1.
    let port: Int
    /// The filter's program path as it appears in the filter's argv (to find its pid).
    let filterProgram: String
    /// SMTP sessions against this server.
    let client: SMTPClient
    /// The smtpd parent process.
    let process: SpawnedProcess
    /// Whether `stop()` ran.
    var stopped = false

    /// The rules file filter-rules reads (rewrite it with `writeRules`).
    var rulesPath: String { directory + "/rules.conf" }
    /// Where delivered messages land, one `*.eml` file each.
    var mailDirectory: String { directory + "/mail" }
    /// smtpd's stdout and stderr, the filter's stderr included (prefixed "rules: ").
    var logPath: String { directory + "/smtpd.log" }
    /// The generated smtpd.conf.
    var configPath: String { directory + "/smtpd.conf" }
    /// smtpd's pid (the parent process).
    var pid: pid_t { process.pid }
    /// Whether smtpd still runs.
    var isRunning: Bool { process.isRunning }

    /// A server around a started smtpd (see `start(_:)`).
    init(directory: String, port: Int, filterProgram: String, process: SpawnedProcess) {
        self.directory = directory
        self.port = port
        self.filterProgram = filterProgram
        self.process = process
        client = SMTPClient(scriptPath: directory + "/smtp-client.py", port: port, directory: directory)
    }

    deinit { stop() }

    // MARK: - Observing

    /// Everything smtpd and the filter logged so far.
    var log: String {
        String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: logPath))) ?? Data(), as: UTF8.self)
    }

    /// The last `lines` lines of the log, for failure messages.
    func logTail(lines: Int = 30) -> String {
        "--- smtpd log (\(logPath)) ---\n" + log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Waits up to `timeout` seconds until the log contains `text` at least `count` times.
    func waitForLog(_ text: String, count: Int = 1, timeout: Double = 10) -> Bool {
        Deadline.wait(seconds: timeout) { log.components(separatedBy: text).count - 1 >= count }
    }

    /// The pids of the running filter process(es).
    var filterPIDs: [pid_t] { ProcessTable.processes(running: filterProgram) }

    /// The delivered messages so far, each as the bytes of its file.
    func deliveredMessages() -> [[UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: mailDirectory)) ?? []
        return names.filter { $0.hasSuffix(".eml") }.sorted().compactMap { name in
            (try? Data(contentsOf: URL(fileURLWithPath: mailDirectory + "/" + name))).map { Array($0) }
        }
    }

    /// Waits up to `timeout` seconds for a delivered message containing `marker`.
    func waitForDelivery(containing marker: String, timeout: Double = 10) -> [UInt8]? {
        var found: [UInt8]?
        _ = Deadline.wait(seconds: timeout) {
            found = deliveredMessages().first { $0.contains(marker) }
            return found != nil
        }
        return found
    }

    // MARK: - Acting

    /// Runs one SMTP session against the server.
    func session(_ plan: SMTPSessionPlan) throws -> SMTPTranscript { try client.run(plan) }

    /// Replaces the rules file atomically (write aside, rename), readable by smtpd's user.
    func writeRules(_ text: String) throws {
        let aside = rulesPath + ".new"
        try Self.write(text, to: aside)
        guard rename(aside, rulesPath) == 0 else { throw InteropError.system("rename \(aside)", errno) }
    }
}
