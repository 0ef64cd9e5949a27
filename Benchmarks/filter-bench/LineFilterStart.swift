import SMTPDTestDouble

/// A filter-rules process started on the line protocol of OpenSMTPD 6.6+ (one socket as its
/// stdin and stdout), verbose, with a prefilter cache directory of its own (so nothing comes
/// from another run's cache), registered for the data-line phase: what the cold and
/// reload-one modes start from. The log is watched from exec on.
struct LineFilterStart {
    /// The rules file; rewritten by a mode that reloads.
    let rules: TemporaryFile
    /// Kept for the process's life: the directory goes when this value does.
    let cache: TemporaryDirectory
    let process: FilterProcess
    let smtpd: LineDaemonDouble
    /// Watches the filter's log for `watching` (given to ``start(_:rules:arguments:watching:)``).
    let log: LogWatch
    /// When the process was started.
    let started: ContinuousClock.Instant
    /// When its registration (`register|ready`) arrived.
    let registered: ContinuousClock.Instant

    /// Starts `filter` on a rules file of `text`, with `arguments` added, and waits for its
    /// registration (the filter waits up to 10 s for its prefilter's first step first).
    static func start(_ filter: String, rules text: String, arguments: [String] = [], watching: [String]) throws -> LineFilterStart {
        let rules = try TemporaryFile(text, name: "rules.conf")
        let cache = try TemporaryDirectory()
        let started = ContinuousClock.now
        let process = try FilterProcess(
            executable: filter, name: "filter-rules",
            arguments: [rules.path, "-v", "--prefilter-cache", cache.path] + arguments, channelOnStandardOutput: true)
        let log = LogWatch(path: process.stderrPath, texts: watching)
        let smtpd = LineDaemonDouble(process: process)
        guard try smtpd.handshake(timeout: 60).contains("register|filter|smtp-in|data-line") else {
            throw BenchmarkFailure("filter-rules did not register the data-line phase")
        }
        return LineFilterStart(
            rules: rules, cache: cache, process: process, smtpd: smtpd, log: log, started: started, registered: ContinuousClock.now)
    }

    /// The lines of the filter's log so far that contain `text`.
    func logLines(containing text: String) -> [Substring] {
        process.stderrText.split(separator: "\n").filter { $0.contains(text) }
    }
}
