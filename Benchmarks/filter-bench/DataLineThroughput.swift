import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// Data lines per second through `filter-rules serve` with one rules file: the filter runs
/// as smtpd runs it (socketpair on fd 0) and one session sends the same message again and
/// again (MAIL, RCPT, DATA, the data pipe, EOM) until `minimumSeconds` of data phase have
/// been measured. Every message must be accepted and come back byte for byte; afterwards a
/// message matching the last rule must be refused (see ``RuleChecks``).
struct DataLineThroughput {
    /// The result of one case.
    struct Result {
        var messages: Int
        var lines: Int
        var bytes: Int
        var seconds: Double

        var linesPerSecond: Double { Double(lines) / seconds }
        var mebibytesPerSecond: Double { Double(bytes) / seconds / 1_048_576 }
    }

    /// The `filter-rules` executable.
    let executable: String
    /// The message pushed through the filter.
    let message: SampleMessage
    /// How long the data phases of one case must take in total.
    let minimumSeconds: Double

    /// Serves `rules` (a rules file's text with `ruleCount` rules) and measures; `arguments`
    /// go to serve, and with `waitForLog` the measurement starts once stderr has that text;
    /// the check afterwards probes the spam rule numbered `lastRuleIndex` (default: the last one).
    func measure(
        rules: String, ruleCount: Int, arguments: [String] = [], waitForLog: String? = nil,
        lastRuleIndex: Int? = nil
    ) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("filter-bench-rules-\(getpid())-\(ruleCount)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rules.conf").path
        try Data(rules.utf8).write(to: URL(fileURLWithPath: path))

        let process = try FilterProcess(executable: executable, name: "rules", arguments: ["--rules", path] + arguments)
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
        if let waitForLog { try waitForStderr(process, waitForLog, timeout: 300) }
        guard process.stderrText.contains("loaded \(path): \(ruleCount) rules") else {
            throw BenchmarkFailure("filter-rules did not load \(ruleCount) rules: \(process.stderrText)")
        }

        let session: UInt64 = 0x5_0000 + UInt64(ruleCount)
        try expectAccepted(smtpd.connect(session: session), "CONNECT")
        try expectAccepted(smtpd.ask(.helo, session: session, extra: SMTPDDouble.heloExtra("mail.example.org")), "HELO")
        var result = Result(messages: 0, lines: 0, bytes: 0, seconds: 0)
        while result.seconds < minimumSeconds {
            try smtpd.event(.txBegin, session: session)
            try expectAccepted(smtpd.ask(.mail, session: session, extra: SMTPDDouble.mailaddrExtra(user: "alice", domain: "example.org")), "MAIL")
            try expectAccepted(smtpd.ask(.rcpt, session: session, extra: SMTPDDouble.mailaddrExtra(user: "bob", domain: "example.net")), "RCPT")
            try expectAccepted(smtpd.ask(.data, session: session), "DATA")
            result.seconds += try smtpd.pushAcceptedMessage(message.bytes, session: session)
            try smtpd.event(.txCommit, session: session)
            result.messages += 1
            result.lines += message.lineCount
            result.bytes += message.bytes.count
        }
        let probed = lastRuleIndex ?? ruleCount
        if probed > 0 { try RuleChecks.filterRefusesLastRule(smtpd, session: session, ruleCount: probed) }
        try smtpd.event(.disconnect, session: session)
        return result
    }
}

/// Waits until `process` has logged `text`; fails after `timeout` seconds.
func waitForStderr(_ process: FilterProcess, _ text: String, timeout: Double) throws {
    let start = ContinuousClock.now
    while !process.stderrText.contains(text) {
        guard seconds(ContinuousClock.now - start) < timeout else {
            throw BenchmarkFailure("no '\(text)' in the filter's log after \(timeout) s: \(process.stderrText.suffix(2000))")
        }
        usleep(5_000)
    }
}
