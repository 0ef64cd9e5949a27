// The reload-burst mode (issue 21): the CPU time `filter-rules serve` spends on a burst of
// 100 SIGHUPs 100 ms apart with 10,000 rules, the file rewritten before each signal (so no
// database comes from the cache), against the CPU time of one reload of the same size, and
// whether the last file is in force at the end.
import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// Runs the reload-burst mode (takes the rules mode's options).
func runReloadBurstBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    let signals = options.secondsPerCase < 1 ? 20 : 100  // --quick: 20
    func rules(version: Int) -> String {
        (0..<10_000).map { "rcpt /^(?:user\($0)|role\($0)-[a-z]+)@example\\.(?:org|net)$/i reject\n" }.joined()
            + "rcpt /^version\(version)@example\\.com$/ reject 550 \"5.7.1 version \(version)\"\n"
    }
    let file = try TemporaryFile(rules(version: 0), name: "rules.conf")
    let served = try ServedRules(filter: options.filter, file: file)
    let (process, smtpd) = (served.process, served.smtpd)
    func count(_ text: String) -> Int { process.stderrText.components(separatedBy: text).count - 1 }
    func waitFor(_ text: String, count wanted: Int, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while count(text) < wanted, Date() < deadline { usleep(20_000) }
        guard count(text) >= wanted else { throw BenchmarkFailure("no \(wanted) '\(text)' in the log") }
    }
    /// User plus system CPU time of the filter so far, in seconds (/proc/PID/stat fields 14 and 15).
    func cpuSeconds() throws -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { throw BenchmarkFailure("cannot read /proc/\(process.pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchmarkFailure("unexpected /proc/\(process.pid)/stat")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
    try waitFor("prefilter live for rcpt", count: 1, timeout: 300)

    // One reload alone.
    try file.write(rules(version: 1))
    var cpu = try cpuSeconds()
    var started = ContinuousClock.now
    kill(process.pid, SIGHUP)
    try waitFor("reloaded \(file.path)", count: 1, timeout: 300)
    let single = (cpu: try cpuSeconds() - cpu, seconds: seconds(ContinuousClock.now - started))

    // The burst.
    cpu = try cpuSeconds()
    started = ContinuousClock.now
    for version in 2..<(2 + signals) {
        try file.write(rules(version: version))
        kill(process.pid, SIGHUP)
        usleep(100_000)
    }
    let burstEnded = ContinuousClock.now
    try waitFor("reloaded \(file.path)", count: 2, timeout: 600)
    let burst = (
        cpu: try cpuSeconds() - cpu, seconds: seconds(ContinuousClock.now - started),
        afterLast: seconds(ContinuousClock.now - burstEnded)
    )
    let last = 1 + signals
    try expectAccepted(smtpd.connect(session: 1), "CONNECT")
    try smtpd.event(.txBegin, session: 1)
    try expectAccepted(smtpd.ask(.mail, session: 1, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "example.org")), "MAIL")
    let answer = try smtpd.ask(.rcpt, session: 1, extra: SMTPDDouble.mailaddrExtra(user: "version\(last)", domain: "example.com"))
    guard answer.code == 550 else { throw BenchmarkFailure("the last file (version \(last)) is not in force: RCPT answered \(answer.code)") }
    let begun = count("SIGHUP: reloading \(file.path)") - 1
    let abandoned = count("reload of \(file.path) abandoned")

    print("filter: \(options.filter)")
    print("10,001 rcpt rules, prefilter on, the file changed before every SIGHUP (no database from the cache)")
    print("")
    print("| | SIGHUPs | reloads begun | abandoned | CPU time | wall time | ratio (CPU) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("| one reload | 1 | 1 | 0 | \(fixed(single.cpu, 2)) s | \(fixed(single.seconds, 2)) s | 1.00 |")
    print(
        "| burst, 100 ms apart | \(signals) | \(begun) | \(abandoned) | \(fixed(burst.cpu, 2)) s | \(fixed(burst.seconds, 2)) s"
            + " (\(fixed(burst.afterLast, 2)) s after the last) | \(fixed(burst.cpu / single.cpu, 2)) |")
    print("")
    print("the last file (version \(last)) is in force: RCPT version\(last)@example.com answered 550")
}
