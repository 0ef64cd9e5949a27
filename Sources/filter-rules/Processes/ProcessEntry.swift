#if canImport(Glibc)
    import Glibc
#endif

/// One process as Linux's `/proc` shows it (or a directory laid out the same way): what it
/// runs, its argument vector, its working directory and its signal masks. Each read is made
/// when asked for; a process that has gone reads as empty.
struct ProcessEntry: Sendable {
    /// The process id.
    let pid: pid_t
    /// Its directory, `ROOT/PID`.
    let directory: String

    /// The entry of `pid` under `root` (`/proc`).
    init(pid: pid_t, root: String = "/proc") {
        self.pid = pid
        self.directory = "\(root)/\(pid)"
    }

    /// Every process under `root`: its numeric entries.
    static func all(root: String = "/proc") -> [ProcessEntry] {
        guard let listing = opendir(root) else { return [] }
        defer { closedir(listing) }
        var entries: [ProcessEntry] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let pid = pid_t(name), pid > 0 { entries.append(ProcessEntry(pid: pid, root: root)) }
        }
        return entries
    }

    /// The basename of the file it executed (`comm`, at most 15 bytes), whatever argv[0] says.
    var executableName: String? {
        guard let bytes = Self.contents(of: directory + "/comm") else { return nil }
        return String(decoding: bytes.last == 10 ? bytes.dropLast() : bytes[...], as: UTF8.self)
    }

    /// Its argument vector, argv[0] first (empty for a zombie or a kernel thread).
    var arguments: [String] {
        guard let bytes = Self.contents(of: directory + "/cmdline"), !bytes.isEmpty else { return [] }
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast()
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// `path` as the process would open it, canonical: a relative path is taken from its
    /// working directory. Nil when it does not exist (or the directory cannot be read).
    func canonicalPath(of path: String) -> String? {
        CanonicalPath.of(path.hasPrefix("/") ? path : directory + "/cwd/" + path)
    }

    /// What a SIGHUP would do to it now; nil when its status cannot be read.
    var hangupHandling: HangupHandling? {
        Self.text(of: directory + "/status").map(HangupHandling.of(status:))
    }

    private static func text(of path: String) -> String? {
        contents(of: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A whole file, read to its end (files in /proc report no size).
    private static func contents(of path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }
}
