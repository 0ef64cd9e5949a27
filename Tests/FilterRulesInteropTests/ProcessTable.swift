#if canImport(Glibc)
    import Glibc
#endif

/// Processes as Linux's /proc shows them: parents, argument vectors, liveness.
enum ProcessTable {
    /// The whole content of a (/proc) file, read until end of file; nil when it cannot be opened.
    static func contents(of path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return bytes
    }

    /// Every pid currently listed in /proc.
    static func allPIDs() -> [pid_t] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var pids: [pid_t] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = pid_t(name) { pids.append(pid) }
        }
        return pids
    }

    /// The fields of /proc/PID/stat after the parenthesised command name (state, ppid, ...).
    private static func statFields(of pid: pid_t) -> [Substring]? {
        guard let bytes = contents(of: "/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// The parent pid of `pid`, or nil when the process is gone.
    static func parent(of pid: pid_t) -> pid_t? {
        guard let fields = statFields(of: pid), fields.count > 1 else { return nil }
        return pid_t(fields[1])
    }

    /// Whether `pid` exists and is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let fields = statFields(of: pid), let state = fields.first else { return false }
        return state != "Z" && state != "X"
    }

    /// The descendants of `root`: children, grandchildren and so on.
    static func descendants(of root: pid_t) -> [pid_t] {
        var parents: [pid_t: pid_t] = [:]
        for pid in allPIDs() { if let ppid = parent(of: pid) { parents[pid] = ppid } }
        var found: Set<pid_t> = [root]
        var grew = true
        while grew {
            grew = false
            for (pid, ppid) in parents where found.contains(ppid) && !found.contains(pid) {
                found.insert(pid)
                grew = true
            }
        }
        found.remove(root)
        return Array(found)
    }

    /// The argument vector of `pid` (empty for kernel threads and vanished processes).
    static func arguments(of pid: pid_t) -> [String] {
        guard let bytes = contents(of: "/proc/\(pid)/cmdline") else { return [] }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// Live processes one of whose arguments (argv[0] or a script's path) is exactly `path`.
    static func processes(running path: String) -> [pid_t] {
        allPIDs().filter { isAlive($0) && arguments(of: $0).contains(path) }
    }
}
