import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// What a finished program printed and how it ended.
public struct ProgramResult: Sendable {
    /// The exit status (the signal number when a signal ended it).
    public var status: Int32
    /// Everything it wrote to stdout.
    public var standardOutput: String
    /// Everything it wrote to stderr.
    public var standardError: String
}

/// Runs `executable` with `arguments` (argv[0] is the executable) and stdin from the file
/// `standardInput` (/dev/null by default), started as ``DaemonSpawn`` starts programs, and
/// waits for it to end; after `timeout` seconds it is killed (SIGKILL).
///
/// stdout and stderr go to temporary files rather than pipes, so a program that fills one
/// stream while the other is being drained cannot block.
public func runProgram(
    _ executable: String, _ arguments: [String], standardInput: String = "/dev/null",
    timeout: Double = 10
) throws -> ProgramResult {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outputPath = directory.appendingPathComponent("stdout").path
    let errorPath = directory.appendingPathComponent("stderr").path

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, standardInput, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let pid = try DaemonSpawn.spawn(executable, argv: [executable] + arguments, fileActions: &actions)

    var waitStatus: Int32 = 0
    let deadline = FilterProcess.now() + timeout
    while waitpid(pid, &waitStatus, WNOHANG) == 0 {
        if FilterProcess.now() >= deadline {
            kill(pid, SIGKILL)
            waitpid(pid, &waitStatus, 0)
            break
        }
        usleep(2000)
    }
    let status: Int32
    switch ExitStatus(waitStatus: waitStatus) {
    case .exited(let code): status = code
    case .signaled(let signal): status = signal
    }
    func contents(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }
    return ProgramResult(status: status, standardOutput: contents(outputPath), standardError: contents(errorPath))
}
