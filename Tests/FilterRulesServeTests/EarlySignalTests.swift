import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// Whether this is the run of ``EarlySignalTests`` alone.
enum SignalTimingRun {
    /// `FILTER_RULES_SIGNAL_TIMING=1`.
    static let isOn = ProcessInfo.processInfo.environment["FILTER_RULES_SIGNAL_TIMING"] == "1"
}

/// SIGHUP soon after smtpd starts the filter: OpenSMTPD 6.6+ starts filters with SIGHUP at
/// its default action, and a reload (`pkill -HUP`, a systemd path unit) can land while the
/// filter is still being loaded. The shipped binary blocks the signal in a C constructor;
/// with the Swift runtime linked in (`--static-swift-stdlib`) only five system libraries
/// are loaded before it runs, so it is ready about 1.5 ms after exec (7 to 20 ms
/// with the toolchain's shared runtime, warm or cold). `filter-rules reload` never signals
/// a process before that (ReloadCommandTests). The moment right after exec cannot be
/// protected by the process itself: a signal sent before its first instruction meets the
/// default action.
///
/// The timings only mean something on an otherwise idle machine, so scripts/test runs this
/// suite on its own after the others, with `FILTER_RULES_SIGNAL_TIMING=1`.
@Suite(
    "SIGHUP early in the life of the release filter-rules",
    .enabled(
        if: ReleaseBinaries.runs && SignalTimingRun.isOn,
        "run alone by scripts/test (FILTER_RULES_SIGNAL_TIMING=1, FILTER_RULES_RELEASE_DIR, root)"))
struct EarlySignalTests {
    @Test("a SIGHUP 5, 10 or 20 ms after exec never kills the filter", arguments: [5, 10, 20])
    func hangupAfterStart(milliseconds: Int) throws {
        let binary = try ReleaseBinaries.path("filter-rules")
        let rules = try TemporaryFile("helo /^test$/ reject 550 \"5.7.1 no\"\n")
        // One start first, so the binary's pages are in memory: a cold start (the first after
        // a build or after the page cache was evicted) takes 10-20 ms, as BENCHMARKS.md says.
        _ = try runProgram(binary, ["--version"])
        for _ in 0..<10 {
            let status = try Self.startAndHangUp(binary, rules: rules.path, after: milliseconds)
            #expect(status != SMTPDTestDouble.ExitStatus.signaled(SIGHUP), "killed by a SIGHUP \(milliseconds) ms after exec")
        }
    }

    /// Starts the filter as smtpd 6.6+ does (``FilterProcess``: empty signal mask, default
    /// actions, one socket as stdin and stdout), sends SIGHUP after `milliseconds`, then
    /// closes the channel and returns how the filter ended.
    static func startAndHangUp(_ binary: String, rules: String, after milliseconds: Int) throws -> SMTPDTestDouble.ExitStatus {
        let process = try FilterProcess(
            executable: binary, name: "filter-rules", arguments: ["--protocol", "line", rules],
            channelOnStandardOutput: true)
        usleep(useconds_t(milliseconds * 1000))
        kill(process.pid, SIGHUP)
        usleep(20_000)
        process.channel.closeChannel()
        guard let status = process.waitForExit(timeout: 5) else {
            throw DoubleError.timeout("filter-rules to end within 5 s after its channel closed")
        }
        return status
    }
}
