// The hold mode: what holding messages costs (issue 11). Data lines per second through
// `filter-rules serve` (filter API 52) with 10 dataline rules, without and with a body
// add-header rule (which makes every message held until its verdict), and the filter's
// resident memory with 100 sessions each holding a 1 MiB message at once.
import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// An add-header rule that matches nothing in the sample message: the messages are held and
/// come back byte for byte, so the throughput cases compare like with like.
let holdingRule = "body /\\bno-such-offer-code-(\\w+)\\b/ add-header \"X-Offer: $1\"\n"

/// Runs the hold mode (takes the rules mode's options).
func runHoldBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    let message = SampleMessage(targetBytes: benchmarkMessageBytes)
    let bench = DataLineThroughput(executable: options.filter, message: message, minimumSeconds: options.secondsPerCase)
    print("filter: \(options.filter)")
    print(
        "message: \(grouped(message.bytes.count)) bytes in \(grouped(message.lineCount)) lines, filter API 52, "
            + "at least \(fixed(options.secondsPerCase, 1)) s of data phase per case")
    print("")
    print("| rules | held | messages | data lines/s | MiB/s | vs. not held |")
    print("| --- | :---: | ---: | ---: | ---: | ---: |")
    let plain = try bench.measure(rules: SpamRules.file(count: 10), ruleCount: 10)
    let held = try bench.measure(rules: holdingRule + SpamRules.file(count: 10), ruleCount: 11, lastRuleIndex: 10)
    for (name, isHeld, result) in [("10 dataline", "no", plain), ("10 dataline + 1 body add-header", "yes", held)] {
        print(
            "| \(name) | \(isHeld) | \(result.messages) | \(grouped(Int(result.linesPerSecond.rounded()))) "
                + "| \(fixed(result.mebibytesPerSecond, 1)) | \(fixed(result.linesPerSecond / plain.linesPerSecond, 3)) |")
    }
    print("")
    try measureHeldMemory(options.filter, sessions: 100, messageBytes: 1 << 20)
}

/// Opens `sessions` sessions, writes a `messageBytes` message into each one's data pipe and
/// ends its input without sending EOM, so that every message is held at once; reports the
/// filter's resident memory before and then, sends the EOMs and checks every message comes
/// back whole.
private func measureHeldMemory(_ executable: String, sessions: Int, messageBytes: Int) throws {
    let rules = try TemporaryFile(holdingRule, name: "rules.conf")
    let process = try FilterProcess(executable: executable, name: "rules", arguments: ["--rules", rules.path])
    let smtpd = SMTPDDouble(process: process)
    _ = try smtpd.register(name: "rules")
    let message = SampleMessage(targetBytes: messageBytes)
    var pipes: [(session: UInt64, pipe: OpenDataPipe)] = []
    defer { for (_, pipe) in pipes { close(pipe.sink) } }
    for index in 0..<sessions {
        let session = UInt64(0x7000 + index)
        try expectAccepted(smtpd.connect(session: session), "CONNECT")
        try smtpd.event(.txBegin, session: session)
        try expectAccepted(smtpd.ask(.data, session: session), "DATA")
        pipes.append((session, try smtpd.openDataPipe(session: session)))
    }
    usleep(200_000)
    let before = try IdleSessions.resident(process)
    // One message at a time, each evaluated before the next is written: what stays is the
    // holds, not the content backlog of 100 sessions arriving at once (a separate bound,
    // SessionContentQueue.backlogLimit).
    for (_, pipe) in pipes {
        try writeBlocking(message.bytes, to: pipe.input)
        close(pipe.input)
        waitUntilIdle(process.pid)
    }
    let during = try IdleSessions.resident(process)
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.pid)/fd").count) ?? 0
    for (session, pipe) in pipes {
        let query = try smtpd.sendQuery(.eom, session: session, extra: SMTPDDouble.eomExtra(UInt32(message.bytes.count)))
        let output = try readToEnd(pipe.sink)
        let (_, response) = try smtpd.expectResponse(to: query, .eom, timeout: 30)
        try expectAccepted(response, "EOM")
        guard output == message.bytes, response.dataLength == UInt32(message.bytes.count) else {
            throw BenchmarkFailure("a held message came back changed: \(output.count) bytes for \(message.bytes.count)")
        }
    }
    let after = try IdleSessions.resident(process)
    let notices = process.stderrText.split(separator: "\n").filter { $0.contains("hold") || $0.contains("held") }
    if !notices.isEmpty { print("filter log about holding: \(notices.count) line(s), first: \(notices[0])") }
    print("| \(sessions) sessions, each holding \(messageBytes >> 20) MiB | RSS |")
    print("| --- | ---: |")
    // resident() is in KiB.
    print("| before the messages | \(fixed(Double(before) / 1024, 1)) MiB |")
    print(
        "| all \(sessions) held | \(fixed(Double(during) / 1024, 1)) MiB (+\(fixed(Double(during - before) / 1024, 1)) MiB, "
            + "\(grouped((during - before) / sessions)) KiB a message; \(open) descriptors open) |")
    print("| after their release | \(fixed(Double(after) / 1024, 1)) MiB |")
}

/// Waits until process `pid` has used no CPU for 50 ms (its content workers are done).
private func waitUntilIdle(_ pid: Int32) {
    func cpuTicks() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 13 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : 0
    }
    var last = cpuTicks()
    while true {
        usleep(50_000)
        let now = cpuTicks()
        if now == last { return }
        last = now
    }
}

/// Writes all of `bytes` to the non-blocking `descriptor`, waiting while it is full.
private func writeBlocking(_ bytes: [UInt8], to descriptor: Int32) throws {
    var offset = 0
    while offset < bytes.count {
        let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if count > 0 { offset += count; continue }
        guard count < 0, errno == EAGAIN || errno == EINTR else { throw BenchmarkFailure("write: \(errno)") }
        var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        _ = poll(&ready, 1, 10_000)
    }
}

/// Reads the non-blocking `descriptor` to end of file.
private func readToEnd(_ descriptor: Int32) throws -> [UInt8] {
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 { output += buffer[0..<count]; continue }
        if count == 0 { return output }
        guard errno == EAGAIN || errno == EINTR else { throw BenchmarkFailure("read: \(errno)") }
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, 30_000) > 0 else { throw BenchmarkFailure("the held message did not come back within 30 s") }
    }
}
