// The reload mode (issue 14): the largest RCPT answer latency while `filter-rules serve`
// reloads 10,000 rules (SIGHUP, a changed file, so nothing comes from the cache): the old
// rules answer until the new ones and their prefilter are ready.
import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// Runs the reload mode (takes the rules mode's options).
func runReloadLatencyBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    func rules(_ count: Int) -> String {
        (0..<count).map { "rcpt /^(?:user\($0)|role\($0)-[a-z]+)@example\\.(?:org|net)$/i reject\n" }.joined()
    }
    let file = try TemporaryFile(rules(10_000), name: "rules.conf")
    let served = try ServedRules(filter: options.filter, file: file)
    let (process, smtpd) = (served.process, served.smtpd)
    func waitFor(_ text: String, count: Int, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while process.stderrText.components(separatedBy: text).count - 1 < count, Date() < deadline { usleep(20_000) }
        guard process.stderrText.components(separatedBy: text).count - 1 >= count else { throw BenchmarkFailure("no '\(text)' in the log") }
    }
    try waitFor("prefilter live for rcpt", count: 1, timeout: 180)
    let sessions = (0..<100).map { UInt64(0xa000 + $0) }
    for session in sessions {
        try expectAccepted(smtpd.connect(session: session), "CONNECT")
        try smtpd.event(.txBegin, session: session)
        try expectAccepted(smtpd.ask(.mail, session: session, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "example.org")), "MAIL")
    }
    var index = 0
    func query() throws -> Double {
        defer { index += 1 }
        return try acceptedRCPT(smtpd, session: sessions[index % sessions.count], index: index)
    }
    var before: [Double] = []
    let warm = ContinuousClock.now
    while seconds(ContinuousClock.now - warm) < 1 { before.append(try query()) }
    try file.write(rules(10_001))
    let signalled = ContinuousClock.now
    kill(process.pid, SIGHUP)
    var during: [Double] = []
    while !process.stderrText.contains("reloaded \(file.path)") {
        during.append(try query())
        guard seconds(ContinuousClock.now - signalled) < 300 else { throw BenchmarkFailure("the reload did not end in 300 s") }
    }
    let reloadSeconds = seconds(ContinuousClock.now - signalled)
    before.sort()
    during.sort()
    func p(_ samples: [Double], _ q: Double) -> String { "\(fixed(samples[min(samples.count - 1, Int(Double(samples.count) * q))] * 1e6, 0)) µs" }
    print("filter: \(options.filter)")
    print("10,000 rcpt rules, prefilter live; SIGHUP with a changed file (10,001 rules): reloaded after \(fixed(reloadSeconds, 1)) s")
    print("")
    print("| RCPT answers | queries | p50 | p99 | largest |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print("| 1 s before the reload | \(grouped(before.count)) | \(p(before, 0.5)) | \(p(before, 0.99)) | \(fixed(before.last! * 1e6, 0)) µs |")
    print("| during the reload | \(grouped(during.count)) | \(p(during, 0.5)) | \(p(during, 0.99)) | \(fixed((during.last ?? 0) * 1e6, 0)) µs |")
}
