#if canImport(Glibc)
import Glibc
#endif

/// A daemon started with `posix_spawn` in a clean signal state: empty signal mask, every
/// signal at its default action. It stays in the test's process group, so an interrupt
/// from the terminal (SIGINT) stops it too.
///
/// Foundation's `Process` would hand the child the signal mask of the test runner's thread,
/// which blocks nearly every signal; smtpd would then never see SIGTERM, nor SIGCHLD from
/// its delivery agents, and neither stop nor deliver.
final class SpawnedProcess {
    /// The child's pid.
    let pid: pid_t
    private var status: Int32?

    /// Starts `executable` with `arguments` (argv[1...]) in our environment plus
    /// `environment`; stdin is /dev/null, stdout and stderr are appended to `outputPath`.
    init(executable: String, arguments: [String], environment: [String: String] = [:], outputPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var inherited: [String] = []
        var entry = environ
        while let variable = entry.pointee {
            let text = String(cString: variable)
            if environment[String(text.prefix { $0 != "=" })] == nil { inherited.append(text) }
            entry += 1
        }
        let envp = (inherited + environment.map { "\($0.key)=\($0.value)" }).map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw InteropError.system("posix_spawn \(executable)", rc) }
        pid = child
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            waitUntilExit()
        }
    }

    /// Whether the child has not exited yet (reaps it when it has).
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        let rc = waitpid(pid, &raw, WNOHANG)
        if rc == pid || (rc < 0 && errno == ECHILD) { status = raw }
        return status == nil
    }

    /// Blocks until the child has exited.
    func waitUntilExit() {
        while status == nil {
            var raw: Int32 = 0
            let rc = waitpid(pid, &raw, 0)
            if rc == pid || (rc < 0 && errno != EINTR) { status = raw }
        }
    }

    /// How the child ended ("running" while it runs), e.g. "exit 1" or "signal 9".
    var exitDescription: String {
        guard !isRunning, let status else { return "running" }
        let signal = status & 0x7f
        return signal == 0 ? "exit \((status >> 8) & 0xff)" : "signal \(signal)"
    }
}
