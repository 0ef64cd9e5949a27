import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// A filter program started the way smtpd starts it: its end of an AF_UNIX stream
/// socketpair on fd 0, non-blocking, argv[0] = the filter's name; stderr goes to a file
/// the test can read.
public final class FilterProcess {
    /// The child's pid.
    public let pid: pid_t
    /// The daemon's end of the channel.
    public let channel: DaemonChannel
    /// Path of the file collecting the child's stderr.
    public let stderrPath: String
    /// With `onPipes`: the daemon's read end of the pipe that is the child's stdout (the
    /// child's answers); nil when the channel is a socket.
    public private(set) var outputDescriptor: Int32?
    /// With `stderrOnPipe`: the read end of the pipe that is the child's stderr, as smtpd
    /// 6.6+ collects a filter's log lines; nil when stderr goes to ``stderrPath``.
    public private(set) var stderrPipe: Int32?
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments` (argv[1...]) and argv[0] = `name`. The child's
    /// fd 0 is non-blocking as smtpd hands it to filters; pass `nonBlocking: false` for the
    /// blocking descriptor table programs get. With `channelOnStandardOutput` the same
    /// socket is also the child's fd 1, as OpenSMTPD 6.6+ starts `proc-exec` filters.
    ///
    /// With `onPipes` the child gets two pipes instead, the read end of one as stdin and the
    /// write end of the other as stdout (the line protocol over pipes): ``channel`` then
    /// writes into the child's stdin and ``outputDescriptor`` reads its stdout. With
    /// `stderrOnPipe` the child's stderr is a pipe (``stderrPipe``) instead of the file.
    public init(
        executable: String, name: String, arguments: [String] = [], environment: [String: String] = [:],
        nonBlocking: Bool = true, channelOnStandardOutput: Bool = false, onPipes: Bool = false,
        stderrOnPipe: Bool = false
    ) throws {
        var pair: [Int32] = [-1, -1]
        var answers: [Int32] = [-1, -1]
        if onPipes {
            // Close-on-exec from the start: a child another test starts meanwhile must not
            // inherit an end (a reader kept open elsewhere would hide a broken pipe).
            guard copensmtpd_pipe(&pair) == 0 else { throw DoubleError.system("pipe", errno) }
            // pair[1] is the daemon's writing end; the child reads pair[0].
            pair.swapAt(0, 1)
            guard copensmtpd_pipe(&answers) == 0 else { throw DoubleError.system("pipe", errno) }
        } else {
            guard copensmtpd_socketpair(&pair) == 0 else { throw DoubleError.system("socketpair", errno) }
        }
        // smtpd sets O_NONBLOCK on both ends before forking the filter.
        _ = copensmtpd_set_nonblocking(pair[0], 1)
        _ = copensmtpd_set_nonblocking(pair[1], nonBlocking ? 1 : 0)
        var template = Array("/tmp/smtpd-double-stderr-XXXXXX".utf8CString)
        let stderrFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard stderrFD >= 0 else { throw DoubleError.system("mkstemp", errno) }
        stderrPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        if onPipes {
            posix_spawn_file_actions_adddup2(&actions, answers[1], 1)
        } else if channelOnStandardOutput {
            posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        var logPipe: [Int32] = [-1, -1]
        if stderrOnPipe {
            guard copensmtpd_pipe(&logPipe) == 0 else { throw DoubleError.system("pipe", errno) }
            posix_spawn_file_actions_adddup2(&actions, logPipe[1], 2)
        } else {
            posix_spawn_file_actions_adddup2(&actions, stderrFD, 2)
        }

        defer {
            close(pair[1])
            close(stderrFD)
            if onPipes { close(answers[1]) }
            if stderrOnPipe { close(logPipe[1]) }
        }
        do {
            pid = try DaemonSpawn.spawn(executable, argv: [name] + arguments, environment: environment, fileActions: &actions)
        } catch {
            close(pair[0])
            if onPipes { close(answers[0]) }
            if stderrOnPipe { close(logPipe[0]) }
            throw error
        }
        stderrPipe = stderrOnPipe ? logPipe[0] : nil
        channel = DaemonChannel(descriptor: pair[0])
        if onPipes {
            _ = copensmtpd_set_nonblocking(answers[0], 1)
            outputDescriptor = answers[0]
        } else {
            outputDescriptor = nil
        }
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        if let outputDescriptor { close(outputDescriptor) }
        if let stderrPipe { close(stderrPipe) }
        unlink(stderrPath)
    }

    /// With `onPipes`: closes the daemon's read end of the child's stdout, so the child's
    /// next write fails with EPIPE (and raises SIGPIPE unless the child prevents it).
    public func closeOutput() {
        if let outputDescriptor { close(outputDescriptor) }
        outputDescriptor = nil
    }

    /// With `stderrOnPipe`: closes the read end of the child's stderr (the daemon that read
    /// its log lines is gone).
    public func closeStderrPipe() {
        if let stderrPipe { close(stderrPipe) }
        stderrPipe = nil
    }

    /// The child's resident set size in KiB (`VmRSS` of /proc/PID/status); nil once it is gone.
    public var residentKilobytes: Int? {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmRSS:") {
                return Int(text.dropFirst(6).filter { $0.isNumber })
            }
        }
        return nil
    }

    /// What the filter wrote to stderr so far.
    public var stderrText: String {
        guard let file = fopen(stderrPath, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Exit

    /// Waits up to `timeout` seconds for the child to end; returns its wait status
    /// (see ``ExitStatus``) or nil when it is still running.
    public func waitForExit(timeout: Double) -> ExitStatus? {
        if let exitStatus { return ExitStatus(raw: exitStatus) }
        let deadline = Self.now() + timeout
        repeat {
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                exitStatus = status
                return ExitStatus(raw: status)
            }
            usleep(2000)
        } while Self.now() < deadline
        return nil
    }

    /// Monotonic seconds.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// How a child process ended.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// It called exit with this code.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    init(raw: Int32) {
        if raw & 0x7f == 0 { self = .exited((raw >> 8) & 0xff) } else { self = .signaled(raw & 0x7f) }
    }

    /// `exit N` or `signal N`.
    public var description: String {
        switch self {
        case let .exited(code): return "exit \(code)"
        case let .signaled(signal): return "signal \(signal)"
        }
    }
}

/// The current environment as `KEY=VALUE` strings, with overrides.
enum ProcessEnvironment {
    static func merged(with overrides: [String: String]) -> [String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            cursor += 1
        }
        for (key, value) in overrides { result[key] = value }
        return result.map { "\($0.key)=\($0.value)" }
    }
}

extension FilterProcess {
    /// The path of an executable product built beside the running test binary
    /// (`.build/<triple>/<config>/NAME`), or `$NAME_PATH` (upper-cased, `-` as `_`) when set.
    public static func builtExecutable(named name: String) -> String {
        let variable = String(name.uppercased().map { $0 == "-" ? "_" : $0 }) + "_PATH"
        if let override = getenv(variable) { return String(validatingCString: override) ?? name }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        var path = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        // The test runner lives in DIR/NAME.xctest (a file on Linux): the products are in DIR.
        while let slash = path.lastIndex(of: "/") {
            path = String(path[..<slash])
            if access(path + "/" + name, X_OK) == 0 { return path + "/" + name }
        }
        return name
    }
}
