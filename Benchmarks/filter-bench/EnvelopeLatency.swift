// The envelope mode (issue 14): per-query latency of RCPT answers with 1,000 concurrent
// sessions and 1,000 rcpt rules that match nothing, through `filter-rules serve` on filter
// API 52, with the prefilter off and live: p50, p99 and the largest, each query answered
// before the next is sent (the latency of one answer, not of a queue). The reference is
// `filter-example` in the same run: the same library, transport and session table on filter
// API 52, no rules engine (it answers RCPT through the library's accept for a phase without
// a callback), so the ratio is what the rules and the engine add to a pass-through filter.
import Foundation
import SMTPDTestDouble

/// How many rounds the envelope cases are measured in, interleaved.
let envelopeRounds = 3

/// Runs the envelope mode (takes the rules mode's options).
func runEnvelopeLatencyBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    let rules = (0..<1_000).map { "rcpt /^(?:user\($0)|role\($0)-[a-z]+)@example\\.(?:org|net)$/i reject\n" }.joined()
    let file = try TemporaryFile(rules, name: "rules.conf")
    let passThrough = FilterProcess.builtExecutable(named: "filter-example")
    print("filter: \(options.filter)")
    print("reference: \(passThrough) (pass-through on filter API 52, no rules engine)")
    print("1,000 rcpt rules matching nothing, 1,000 sessions connected, RCPT queries round robin, one at a time")
    print("\(envelopeRounds) interleaved rounds per case, each at least \(fixed(max(options.secondsPerCase, 1), 1)) s and 2,000 queries")
    print("")
    var cases: [EnvelopeCase] = []
    var keep: [AnyObject] = []
    for setting in ["pass-through", "off", "on"] {
        let process: FilterProcess
        if setting == "pass-through" {
            process = try FilterProcess(executable: passThrough, name: "filter-example")
        } else {
            let cache = try TemporaryDirectory()
            keep.append(cache)
            var arguments = ["-v", file.path, "--prefilter", setting]
            if setting == "on" { arguments += ["--prefilter-cache", cache.path] }
            process = try FilterProcess(executable: options.filter, name: "rules", arguments: arguments)
        }
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: setting == "pass-through" ? "filter-example" : "rules")
        if setting == "on" {
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
        cases.append(EnvelopeCase(setting: setting, smtpd: smtpd, sessions: sessions))
    }
    for _ in 0..<envelopeRounds {
        for index in cases.indices { try cases[index].measure(seconds: max(options.secondsPerCase, 1)) }
    }
    print("| filter | prefilter | queries | p50 | p99 | largest | p50, p99 vs pass-through |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    let reference = cases[0].percentiles()
    for item in cases {
        let (p50, p99) = item.percentiles()
        let filter = item.setting == "pass-through" ? "filter-example" : "filter-rules, 1,000 rules"
        let prefilter = item.setting == "pass-through" ? "–" : item.setting
        print(
            "| \(filter) | \(prefilter) | \(grouped(item.samples.count)) | \(fixed(p50 * 1e6, 0)) µs | \(fixed(p99 * 1e6, 0)) µs "
                + "| \(fixed(item.samples.max()! * 1e6, 0)) µs | \(fixed(p50 / reference.p50, 2)), \(fixed(p99 / reference.p99, 2)) |")
    }
}

/// One filter of the envelope mode, its sessions, and the latencies of its RCPT answers
/// over all rounds.
struct EnvelopeCase {
    let setting: String
    let smtpd: SMTPDDouble
    let sessions: [UInt64]
    var samples: [Double] = []
    /// Queries sent so far (each a new recipient, sessions in turn).
    private var index = 0

    init(setting: String, smtpd: SMTPDDouble, sessions: [UInt64]) {
        self.setting = setting
        self.smtpd = smtpd
        self.sessions = sessions
    }

    /// One round: RCPT queries one at a time for `minimum` seconds and at least 2,000.
    mutating func measure(seconds minimum: Double) throws {
        let start = ContinuousClock.now
        var count = 0
        while seconds(ContinuousClock.now - start) < minimum || count < 2_000 {
            samples.append(try acceptedRCPT(smtpd, session: sessions[index % sessions.count], index: index))
            index += 1
            count += 1
        }
    }

    /// The median and the 99th percentile of all samples.
    func percentiles() -> (p50: Double, p99: Double) { medianAndP99(samples) }
}
