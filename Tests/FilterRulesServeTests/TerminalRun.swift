import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `filter-rules` with `arguments` as an administrator runs it by hand: stderr
/// on a terminal (a pseudo-terminal whose other side the test reads), stdin from /dev/null,
/// stdout discarded. Returns the exit status and what it wrote to the terminal, the
/// terminal's CR before each newline removed.
func runFilterRulesOnTerminal(_ arguments: [String], timeout: Double = 10) throws -> (status: ExitStatus?, standardError: String) {
    var controller: Int32 = -1, terminal: Int32 = -1
    guard openpty(&controller, &terminal, nil, nil, nil) == 0 else { throw DoubleError.system("openpty", errno) }
    defer { close(controller) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, terminal, 2)
    posix_spawn_file_actions_addclose(&actions, terminal)
    posix_spawn_file_actions_addclose(&actions, controller)
    let executable = FilterProcess.builtExecutable(named: "filter-rules")
    let spawned = Result { try DaemonSpawn.spawn(executable, argv: [executable] + arguments, fileActions: &actions) }
    close(terminal)
    let pid = try spawned.get()

    // Read while the program runs (a pseudo-terminal holds only a little output), and once
    // more after it ended.
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    var status: ExitStatus?
    let deadline = time(nil) + time_t(timeout)
    while true {
        var poller = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
        if poll(&poller, 1, 20) > 0, poller.revents & Int16(POLLIN) != 0 {
            let count = read(controller, &buffer, buffer.count)
            if count > 0 { output += buffer[..<count]; continue }
        }
        if status != nil { break }
        var waitStatus: Int32 = 0
        if waitpid(pid, &waitStatus, WNOHANG) == pid {
            status = ExitStatus(waitStatus: waitStatus)
        } else if time(nil) >= deadline {
            kill(pid, SIGKILL)
            waitpid(pid, &waitStatus, 0)
            break
        }
    }
    let text = String(decoding: output, as: UTF8.self)
    return (status, text.replacingOccurrences(of: "\r\n", with: "\n"))
}
