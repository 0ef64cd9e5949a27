import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// `posix_spawn` the way a daemon starts its children: no blocked signals and every signal at
/// its default action. Without this a child inherits the calling thread's signal mask, and the
/// threads tests and Dispatch run on block nearly every signal: the child would never see
/// SIGTERM (nor SIGCHLD from its own children).
public enum DaemonSpawn {
    /// Starts `executable` with `argv` (argv[0] included) in the current environment plus
    /// `environment`, applying `fileActions` in the child, and returns the child's pid.
    public static func spawn(
        _ executable: String, argv: [String], environment: [String: String] = [:],
        fileActions: inout posix_spawn_file_actions_t
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let variables = ProcessEnvironment.merged(with: environment).map { strdup($0) } + [nil]
        defer { variables.forEach { free($0) } }
        var child: pid_t = 0
        let rc = spawnLock.withLock { _ in posix_spawn(&child, executable, &fileActions, &attributes, arguments, variables) }
        guard rc == 0 else { throw DoubleError.system("posix_spawn \(executable)", rc) }
        return child
    }

    /// Held while a child is spawned, and while an executable is written (see
    /// ``withoutSpawning(_:)``).
    private static let spawnLock = Mutex(())

    /// Runs `body` (writing a program that is run next, such as a copy of filter-rules for
    /// smtpd) while no child is being spawned here: a child spawned meanwhile would hold the
    /// written file open until its exec, and running the program then fails with ETXTBSY
    /// ("Text file busy").
    public static func withoutSpawning<Result>(_ body: () throws -> Result) rethrows -> Result {
        try spawnLock.withLock { _ in try body() }
    }
}

extension ExitStatus {
    /// The status `waitpid` stored for an ended child.
    public init(waitStatus: Int32) { self.init(raw: waitStatus) }
}
