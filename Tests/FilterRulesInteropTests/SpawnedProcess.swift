import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// A child process of the harness (smtpd, `smtpd -n`, ldd, the SMTP clients), started with
/// `DaemonSpawn` in a clean signal state so that SIGTERM reaches it. It stays in the test's
/// process group, so an interrupt from the terminal (SIGINT) stops it too; released while it
/// runs, it is killed.
///
/// Foundation's `Process` would hand the child the signal mask of the test runner's thread,
/// which blocks nearly every signal: smtpd would then never see SIGTERM, nor SIGCHLD from its
/// delivery agents, and neither stop nor deliver; a client could not be terminated.
final class SpawnedProcess {
    /// The child's pid.
    let pid: pid_t
    private var status: ExitStatus?

    /// Starts `executable` with `arguments` (argv[1...]) in our environment plus
    /// `environment`; stdin reads `inputPath`, stdout is appended to `outputPath`, stderr to
    /// `errorPath` (to `outputPath` too when nil).
    init(
        executable: String, arguments: [String], environment: [String: String] = [:],
        inputPath: String = "/dev/null", outputPath: String, errorPath: String? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        pid = try DaemonSpawn.spawn(executable, argv: [executable] + arguments, environment: environment, fileActions: &actions)
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            waitUntilExit()
        }
    }

    /// Runs `executable` to its end, output and errors into `outputPath`; kills it after
    /// `timeout` seconds. Returns how it ended and what it wrote.
    static func run(
        _ executable: String, _ arguments: [String], outputPath: String,
        timeout: Double
    ) throws -> (status: ExitStatus, output: String) {
        let child = try SpawnedProcess(executable: executable, arguments: arguments, outputPath: outputPath)
        guard child.waitForExit(timeout: timeout), let status = child.status else {
            throw InteropError.timedOut("waiting \(timeout) s for \(executable) \(arguments.joined(separator: " "))")
        }
        let output = ProcessTable.contents(of: outputPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (status, output)
    }

    /// Whether the child has not exited yet (reaps it when it has).
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        let rc = waitpid(pid, &raw, WNOHANG)
        if rc == pid || (rc < 0 && errno == ECHILD) { status = ExitStatus(waitStatus: raw) }
        return status == nil
    }

    /// Waits up to `timeout` seconds for the child to exit; whether it did.
    func waitForExit(timeout: Double) -> Bool {
        Deadline.wait(seconds: timeout) { !isRunning }
    }

    /// Blocks until the child has exited (after SIGKILL, say).
    func waitUntilExit() {
        while status == nil {
            var raw: Int32 = 0
            let rc = waitpid(pid, &raw, 0)
            if rc == pid || (rc < 0 && errno != EINTR) { status = ExitStatus(waitStatus: raw) }
        }
    }

    /// How the child ended ("running" while it runs), e.g. "exit 1" or "signal 9".
    var exitDescription: String {
        guard !isRunning, let status else { return "running" }
        return status.description
    }
}
