import Foundation
import SMTPDTestDouble

/// What the servers the tests start (nsd, redis-server, Prometheus) share: spawned as a
/// daemon starts its children (``DaemonSpawn``), standard input from /dev/null and both
/// outputs appended to a log file, and ended by a signal, then reaped.
enum TestDaemon {
    /// Starts `executable` with `argv` (argv[0] included), its output appended to `log`.
    static func spawn(_ executable: String, argv: [String], log: URL) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        return try DaemonSpawn.spawn(executable, argv: argv, fileActions: &actions)
    }

    /// Sends `child` SIGTERM and waits up to `grace` seconds for it to exit, then SIGKILL;
    /// reaps it. A grace of 0 kills it at once (a server that dies).
    static func end(_ child: pid_t, grace: Double = 5) {
        var status: Int32 = 0
        if grace > 0 {
            kill(child, SIGTERM)
            let deadline = Date().addingTimeInterval(grace)
            while Date() < deadline {
                if waitpid(child, &status, WNOHANG) == child { return }
                usleep(10_000)
            }
        }
        kill(child, SIGKILL)
        _ = waitpid(child, &status, 0)
    }

    /// The text of `log`, or a note that there is none (for error messages).
    static func logText(_ log: URL) -> String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? "no log"
    }
}
