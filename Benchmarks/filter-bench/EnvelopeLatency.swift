// The envelope mode (issue 14): per-query latency of RCPT answers with 1,000 concurrent
// sessions and 1,000 rcpt rules that match nothing, through `filter-rules serve` on filter
// API 52, with the prefilter off and live: p50, p99 and the largest, each query answered
// before the next is sent (the latency of one answer, not of a queue).
import Foundation
import SMTPDTestDouble

/// Runs the envelope mode (takes the rules mode's options).
func runEnvelopeLatencyBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    let rules = (0..<1_000).map { "rcpt /^(?:user\($0)|role\($0)-[a-z]+)@example\\.(?:org|net)$/i reject\n" }.joined()
    let file = try TemporaryFile(rules, name: "rules.conf")
    print("filter: \(options.filter)")
    print("1,000 rcpt rules matching nothing, 1,000 sessions connected, RCPT queries round robin, one at a time")
    print("")
    print("| prefilter | queries | p50 | p99 | largest |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for prefilter in ["off", "on"] {
        let cache = try TemporaryDirectory()
        var arguments = ["-v", file.path, "--prefilter", prefilter]
        if prefilter == "on" { arguments += ["--prefilter-cache", cache.path] }
        let process = try FilterProcess(executable: options.filter, name: "rules", arguments: arguments)
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
        if prefilter == "on" {
            let deadline = Date().addingTimeInterval(120)
            while !process.stderrText.contains("prefilter live for rcpt"), Date() < deadline { usleep(20_000) }
            guard process.stderrText.contains("prefilter live for rcpt") else { throw BenchmarkFailure("the prefilter did not go live") }
        }
        let sessions = (0..<1_000).map { UInt64(0x9000 + $0) }
        for session in sessions {
            try expectAccepted(smtpd.connect(session: session), "CONNECT")
            try smtpd.event(.txBegin, session: session)
            try expectAccepted(smtpd.ask(.mail, session: session, extra: SMTPDDouble.mailaddrExtra(user: "a", domain: "example.org")), "MAIL")
        }
        var samples: [Double] = []
        let start = ContinuousClock.now
        var index = 0
        while seconds(ContinuousClock.now - start) < max(options.secondsPerCase, 1) || samples.count < 2_000 {
            samples.append(try acceptedRCPT(smtpd, session: sessions[index % sessions.count], index: index))
            index += 1
        }
        samples.sort()
        func percentile(_ p: Double) -> String { "\(fixed(samples[min(samples.count - 1, Int(Double(samples.count) * p))] * 1e6, 0)) µs" }
        print("| \(prefilter) | \(grouped(samples.count)) | \(percentile(0.5)) | \(percentile(0.99)) | \(fixed(samples.last! * 1e6, 0)) µs |")
    }
}
