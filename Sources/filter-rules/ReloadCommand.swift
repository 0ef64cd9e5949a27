import ArgumentParser
import CommandLineSupport
import FilterRulesEngine
#if canImport(Glibc)
    import Glibc
#endif

/// `filter-rules reload FILE`: checks a rules file, then sends SIGHUP to the filter-rules
/// processes serving it, and to no other.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Check a rules file, then make every filter-rules serving it re-read it (SIGHUP).",
        discussion: """
            A file with errors is refused (they are printed, nothing is signalled). A process \
            counts when its executable is filter-rules and its command line serves FILE (the \
            same file, after symbolic links and its working directory); one that does not yet \
            block or catch SIGHUP is skipped, as the signal would end it. \
            Exit status: 0 when at least one process was signalled, 1 otherwise.
            """
    )

    @Argument(help: "The rules file.")
    var file: String = defaultRulesPath

    func run() throws {
        SignalWatcher.unblockDaemonSignals()
        _ = try CheckedRules.load(file, consequence: ", no filter-rules signalled")
        let found = RulesFileServers(servedRulesFile: ServeCommand.rulesFile(servedBy:)).find(serving: file)
        for pid in found.notReady {
            printToStandardError("skipped \(pid): it does not block or catch SIGHUP yet (still starting?), the signal would end it")
        }
        var signalled: [pid_t] = []
        for pid in found.ready {
            if kill(pid, SIGHUP) == 0 {
                signalled.append(pid)
            } else {
                printToStandardError("could not signal \(pid): \(String(cString: strerror(errno)))")
            }
        }
        guard !signalled.isEmpty else {
            let skipped = found.notReady.isEmpty ? "" : " (\(found.notReady.count) skipped)"
            printToStandardError("no filter-rules process serving \(file) was signalled\(skipped)")
            throw ExitCode(1)
        }
        let pids = signalled.map(String.init).joined(separator: " ")
        print("signalled \(signalled.count) filter-rules process(es) serving \(file): \(pids)")
        if !found.notReady.isEmpty { print("skipped \(found.notReady.count) not ready for SIGHUP") }
    }
}
