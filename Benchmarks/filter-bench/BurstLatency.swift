// The burst mode (issue 14): on the line protocol (OpenSMTPD 6.6+), 1,000 sessions each
// send a RCPT query in one write of about 100 KB (as smtpd does when many clients act at
// once), and the time to the first and to the last answer is measured, with no rules and
// with 1,000 rcpt rules (prefilter live). Answers going out as they are ready make the
// first answer come long before the last.
import Foundation
import SMTPDTestDouble

/// Runs the burst mode (takes the rules mode's options).
func runBurstLatencyBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    let rounds = 7
    print("filter: \(options.filter)")
    print("1,000 sessions, one RCPT query each in one write (protocol 0.6), \(rounds) rounds, median and range")
    print("")
    print("| rcpt rules | burst bytes | first answer after | last answer after |")
    print("| ---: | ---: | ---: | ---: |")
    for count in [0, 1_000] {
        let rules =
            (0..<count).map { "rcpt /^(?:user\($0)|role\($0)-[a-z]+)@example\\.(?:org|net)$/i reject\n" }.joined()
            + "helo /^never\\.example$/ reject\n"
        let file = try TemporaryFile(rules, name: "rules.conf")
        let cache = try TemporaryDirectory()
        let process = try FilterProcess(
            executable: options.filter, name: "filter-rules",
            arguments: [file.path, "-v", "--prefilter-cache", cache.path], channelOnStandardOutput: true)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        if count > 0 { try waitForStderr(process, "prefilter live for rcpt", timeout: 120) }
        let sessions = (0..<1_000).map { UInt64(0x7000 + $0) }
        for session in sessions {
            try smtpd.report("link-connect", session: session, parameters: "client.example|pass|192.0.2.7:40000|192.0.2.1:25")
        }
        var firsts: [Double] = []
        var lasts: [Double] = []
        var burstBytes = 0
        for round in 0..<rounds {
            var burst: [UInt8] = []
            for (index, session) in sessions.enumerated() {
                burst += Array(
                    ("filter|0.6|1764060000.000002|smtp-in|rcpt-to|\(LineDaemonDouble.hex(session))|"
                        + "\(LineDaemonDouble.hex(UInt64(round * 10_000 + index + 1)))|<person\(index)@example.net>\n").utf8)
            }
            burstBytes = burst.count
            let start = ContinuousClock.now
            try smtpd.send(burst)
            var first: Double?
            for _ in sessions {
                let answer = try smtpd.receiveLine(timeout: 30)
                guard answer.hasSuffix("|proceed") else { throw BenchmarkFailure("a RCPT was not accepted: \(answer)") }
                if first == nil { first = seconds(ContinuousClock.now - start) }
            }
            firsts.append(first!)
            lasts.append(seconds(ContinuousClock.now - start))
        }
        func shown(_ values: [Double]) -> String {
            let sorted = values.sorted()
            return "\(fixed(sorted[sorted.count / 2] * 1000, 2)) ms (\(fixed(sorted.first! * 1000, 2))–\(fixed(sorted.last! * 1000, 2)))"
        }
        print("| \(grouped(count)) | \(grouped(burstBytes)) | \(shown(firsts)) | \(shown(lasts)) |")
        process.channel.closeChannel()
        _ = process.waitForExit(timeout: 5)
    }
}
