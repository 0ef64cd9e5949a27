import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

extension SampleMessage {
    /// The message's lines as smtpd hands them to a line-protocol filter: without their
    /// `\n`, dot-stuffed (the final dot not included).
    var wireLines: [[UInt8]] {
        bytes.split(separator: 10, omittingEmptySubsequences: false).dropLast().map { line in
            line.first == UInt8(ascii: ".") ? [UInt8(ascii: ".")] + line : Array(line)
        }
    }
}

/// One filter-rules (or line-echo-filter) process on the line protocol, sent the same
/// message again and again: its rounds of the line mode, or the windows of the cold mode.
struct LineCase {
    let ruleCount: Int
    let smtpd: LineDaemonDouble
    let path: String
    var rates: [Double] = []
    var messages = 0
    /// Seconds of the measured messages spent until the last echo came back, and in the
    /// `commit` query after it (how long the verdict took once smtpd had the message).
    var echoSeconds = 0.0
    var commitSeconds = 0.0
    /// One message's `data-line` requests (final dot included), built once, and the answers
    /// they must get: every line echoed byte for byte.
    private let requests: [UInt8]
    private let answers: [UInt8]

    /// A case of `ruleCount` rules (`path`, for messages) driven through `smtpd`, which
    /// sends `lines` (``SampleMessage/wireLines``) in `session`.
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

    /// The median round's data lines per second.
    var median: Double { rates.sorted()[rates.count / 2] }

    /// One round: messages until `seconds` have passed; every message must come back byte
    /// for byte and be accepted.
    mutating func measure(lineCount: Int, session: UInt64, seconds minimum: Double) throws {
        var count = 0
        var elapsed = 0.0
        while elapsed < minimum {
            let start = ContinuousClock.now
            try echoMessage()
            let echoed = ContinuousClock.now
            let verdict = try smtpd.query("commit", session: session)
            let end = ContinuousClock.now
            elapsed += seconds(end - start)
            echoSeconds += seconds(echoed - start)
            commitSeconds += seconds(end - echoed)
            guard verdict.hasSuffix("|proceed") else { throw BenchmarkFailure("commit was not accepted: \(verdict)") }
            try smtpd.report("tx-reset", session: session, parameters: "00000001")
            count += 1
        }
        messages += count
        rates.append(Double(count * lineCount) / elapsed)
    }

    /// Messages from `start` until `seconds` after it, the checks of ``measure(lineCount:session:seconds:)``
    /// included; the data lines per second of wall time over the window (unlike a round,
    /// which times the messages only, this counts whatever else the time went to).
    mutating func measureWindow(lineCount: Int, session: UInt64, from start: ContinuousClock.Instant, seconds window: Double) throws -> Double {
        var count = 0
        while seconds(ContinuousClock.now - start) < window {
            try echoMessage()
            let verdict = try smtpd.query("commit", session: session)
            guard verdict.hasSuffix("|proceed") else { throw BenchmarkFailure("commit was not accepted: \(verdict)") }
            try smtpd.report("tx-reset", session: session, parameters: "00000001")
            count += 1
        }
        messages += count
        return Double(count * lineCount) / seconds(ContinuousClock.now - start)
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
