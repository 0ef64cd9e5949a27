import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// The rule counts of the line-protocol cases (at least one data rule, or filter-rules does
/// not register the data-line phase at all).
let lineRuleCounts = [1, 10, 100, 1_000, 10_000]

/// How many times each case is measured, round by round; the median is shown.
let lineRounds = 5

/// Runs the line mode: data lines per second through `filter-rules` speaking the line
/// protocol of OpenSMTPD 6.6+ (one socket as its stdin and stdout, as smtpd starts it),
/// each message a `data-line` request per line, echoed byte for byte, verdict at `commit`.
///
/// Every filter is started first (prefilter live); then the cases are measured in turn,
/// round after round, so that the machine's drift touches all of them alike, and each case
/// shows its median round. Takes the rules mode's options (`--filter`, `--seconds` per
/// case and round, `--quick`).
func runLineBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    let message = SampleMessage(targetBytes: benchmarkMessageBytes)
    let lines = message.bytes.split(separator: 10, omittingEmptySubsequences: false).dropLast().map { line in
        line.first == UInt8(ascii: ".") ? [UInt8(ascii: ".")] + line : Array(line)
    }
    print("filter: \(options.filter)")
    print(
        "message: \(grouped(lines.count)) lines, \(grouped(message.bytes.count)) bytes, protocol 0.6, "
            + "\(lineRounds) rounds of at least \(fixed(options.secondsPerCase, 1)) s per case, median shown")
    print("")
    let echoFilter = FilterProcess.builtExecutable(named: "line-echo-filter")
    // The reference first (a minimal C filter, Benchmarks/line-echo-filter), then filter-rules
    // with its prefilter live; 10,000 rules also with it off would take minutes a message.
    var cases: [LineCase] = []
    var keep: [AnyObject] = []
    for count in [0] + lineRuleCounts {
        let rules = try TemporaryFile(SpamRules.file(count: count), name: "rules.conf")
        let cache = try TemporaryDirectory()
        keep += [rules, cache]
        let process =
            count == 0
            ? try FilterProcess(executable: echoFilter, name: "line-echo-filter", channelOnStandardOutput: true)
            : try FilterProcess(
                executable: options.filter, name: "filter-rules",
                arguments: [rules.path, "-v", "--prefilter-cache", cache.path], channelOnStandardOutput: true)
        let smtpd = LineDaemonDouble(process: process)
        guard try smtpd.handshake().contains("register|filter|smtp-in|data-line") else {
            throw BenchmarkFailure("filter-rules did not register the data-line phase")
        }
        if count > 0 { try waitForStderr(process, "prefilter live for dataline", timeout: 300) }
        try smtpd.report("link-connect", session: 1, parameters: "client.example|pass|192.0.2.7:40000|192.0.2.1:25")
        cases.append(LineCase(ruleCount: count, smtpd: smtpd, path: rules.path, lines: lines, session: 1))
    }
    for _ in 0..<lineRounds {
        for index in cases.indices {
            try cases[index].measure(lineCount: lines.count, session: 1, seconds: options.secondsPerCase)
        }
    }
    print("| dataline rules | messages | data lines/s (median) | range of the rounds | MiB/s | vs. 1 rule | vs. line-echo-filter |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    let echo = cases[0].median
    let baseline = cases[1].median
    let bytesPerLine = Double(message.bytes.count) / Double(lines.count)
    for item in cases {
        let name = item.ruleCount == 0 ? "line-echo-filter" : grouped(item.ruleCount)
        let sorted = item.rates.sorted()
        print(
            "| \(name) | \(item.messages) | \(grouped(Int(item.median))) | \(grouped(Int(sorted.first!)))–\(grouped(Int(sorted.last!))) "
                + "| \(fixed(item.median * bytesPerLine / 1_048_576, 1)) "
                + "| \(item.ruleCount == 0 ? "–" : fixed(item.median / baseline, 3)) | \(fixed(item.median / echo, 3)) |")
    }
}

/// One filter of the line mode and its rounds.
private struct LineCase {
    let ruleCount: Int
    let smtpd: LineDaemonDouble
    let path: String
    var rates: [Double] = []
    var messages = 0
    /// One message's `data-line` requests (final dot included), built once, and the answers
    /// they must get: every line echoed byte for byte.
    private let requests: [UInt8]
    private let answers: [UInt8]

    init(ruleCount: Int, smtpd: LineDaemonDouble, path: String, lines: [[UInt8]], session: UInt64) {
        self.ruleCount = ruleCount
        self.smtpd = smtpd
        self.path = path
        // smtpd gives a message's data lines one token; each case has its own.
        let token = smtpd.token()
        let head = Array("filter|0.6|1764060000.000002|smtp-in|data-line|\(LineDaemonDouble.hex(session))|\(LineDaemonDouble.hex(token))|".utf8)
        let prefix = Array("filter-dataline|\(LineDaemonDouble.hex(session))|\(LineDaemonDouble.hex(token))|".utf8)
        var requests: [UInt8] = [], answers: [UInt8] = []
        for line in lines + [[UInt8(ascii: ".")]] {
            requests += head + line + [10]
            answers += prefix + line + [10]
        }
        self.requests = requests
        self.answers = answers
    }

    var median: Double { rates.sorted()[rates.count / 2] }

    /// One round: messages until `seconds` have passed; every message must come back byte
    /// for byte and be accepted.
    mutating func measure(lineCount: Int, session: UInt64, seconds minimum: Double) throws {
        var count = 0
        var elapsed = 0.0
        while elapsed < minimum {
            let start = ContinuousClock.now
            try echoMessage()
            let verdict = try smtpd.query("commit", session: session)
            elapsed += seconds(ContinuousClock.now - start)
            guard verdict.hasSuffix("|proceed") else { throw BenchmarkFailure("commit was not accepted: \(verdict)") }
            try smtpd.report("tx-reset", session: session, parameters: "00000001")
            count += 1
        }
        messages += count
        rates.append(Double(count * lineCount) / elapsed)
    }

    /// Sends the message's requests from a second thread (the filter answers while the rest
    /// is still arriving, as with smtpd) and checks its answers, all at once.
    private func echoMessage() throws {
        let stream = requests
        let descriptor = smtpd.process.channel.descriptor
        let sent = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var sendError: (any Error)?
        Thread.detachNewThread {
            do { try writeAll(stream, to: descriptor) } catch { sendError = error }
            sent.signal()
        }
        let received = try smtpd.receive(count: answers.count, timeout: 10)
        sent.wait()
        if let sendError { throw sendError }
        guard received.elementsEqual(answers) else {
            throw BenchmarkFailure("the message did not come back byte for byte (\(path))")
        }
    }
}

/// Writes all of `bytes` to the non-blocking socket `descriptor`, waiting while it is full.
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws {
    var offset = 0
    while offset < bytes.count {
        let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if count >= 0 {
            offset += count
        } else if errno == EAGAIN || errno == EINTR {
            var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            _ = poll(&entry, 1, 100)
        } else {
            throw BenchmarkFailure("writing to the filter failed: errno \(errno)")
        }
    }
}
