#if canImport(Glibc)
    import Glibc
#endif

/// Finds the running filter-rules processes that serve a given rules file, for `reload`.
///
/// A process counts when the file it executed is named `filter-rules` (its `comm`, not
/// argv[0]: OpenSMTPD 6.0.x sets argv[0] to the filter's name, and 6.6+ runs the command
/// through `/bin/sh -c`, so a shell can show the same command line), its command line
/// serves a rules file (as `servedRulesFile` reads it), and that file, taken from the
/// process's working directory when relative, is the same file as the one asked for.
struct RulesFileServers {
    /// The processes found, by what a SIGHUP would do to them.
    struct Found: Equatable, Sendable {
        /// The ones that catch or block SIGHUP: safe to signal.
        var ready: [pid_t] = []
        /// The ones whose SIGHUP is still at its default action, which would end them
        /// (a filter-rules that has only just been started).
        var notReady: [pid_t] = []

        /// A result with these processes.
        init(ready: [pid_t] = [], notReady: [pid_t] = []) {
            self.ready = ready
            self.notReady = notReady
        }
    }

    /// The name of the executable looked for.
    let executableName: String
    /// Where the process table is read (`/proc`).
    let root: String
    private let servedRulesFile: ([String]) -> String?

    /// - Parameters:
    ///   - servedRulesFile: the rules file a command line (argv[0] first) serves, nil when
    ///     it does not serve (another command, or arguments the program would refuse).
    init(
        executableName: String = "filter-rules", root: String = "/proc",
        servedRulesFile: @escaping ([String]) -> String?
    ) {
        self.executableName = executableName
        self.root = root
        self.servedRulesFile = servedRulesFile
    }

    /// The processes other than `excluded` (this one) serving the file at `path`, in pid order.
    func find(serving path: String, excluding excluded: pid_t = getpid()) -> Found {
        var found = Found()
        guard let target = CanonicalPath.of(path) else { return found }
        for process in ProcessEntry.all(root: root).sorted(by: { $0.pid < $1.pid }) where process.pid != excluded {
            guard process.executableName == executableName,
                let served = servedRulesFile(process.arguments),
                process.canonicalPath(of: served) == target,
                let handling = process.hangupHandling
            else { continue }
            if handling.isSafe { found.ready.append(process.pid) } else { found.notReady.append(process.pid) }
        }
        return found
    }
}
