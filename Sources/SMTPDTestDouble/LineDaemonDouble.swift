#if canImport(Glibc)
    import Glibc
#endif

/// The daemon side of OpenSMTPD's line-based filter protocol (6.6 and later), written from
/// the fact sheet: the `config|` handshake, `report|` and `filter|` lines, and reading the
/// filter's `register|`, `filter-result|` and `filter-dataline|` lines.
///
/// The filter runs as smtpd 6.6+ runs `proc-exec` filters: one socket as its stdin and
/// stdout, stderr to a file.
public final class LineDaemonDouble {
    /// The filter process.
    public let process: FilterProcess
    /// The protocol version written into `report` and `filter` lines.
    public var version: String
    private var inbox: [UInt8] = []
    private var inboxStart = 0
    private var nextToken: UInt64 = 0x1000

    /// Drives `process`, which must have been started with `channelOnStandardOutput` or `onPipes`.
    public init(process: FilterProcess, version: String = "0.6") {
        self.process = process
        self.version = version
    }

    /// Sends raw bytes.
    public func send(_ bytes: [UInt8]) throws {
        try process.channel.sendBytes(bytes)
    }

    /// Sends one line (a `\n` is added).
    public func send(line: String) throws {
        try send(Array(line.utf8) + [10])
    }

    /// Sends the handshake (`config|...`, `config|ready`) and returns the filter's
    /// registration lines up to and including `register|ready`.
    public func handshake(smtpdVersion: String = "6.8.0p2", timeout: Double = 5) throws -> [String] {
        try send(line: "config|smtpd-version|\(smtpdVersion)")
        try send(line: "config|smtp-session-timeout|300")
        try send(line: "config|subsystem|smtp-in")
        try send(line: "config|ready")
        var lines: [String] = []
        while true {
            let line = try receiveLine(timeout: timeout)
            lines.append(line)
            if line == "register|ready" { return lines }
            guard line.hasPrefix("register|") else { throw DoubleError.malformed("expected register|..., got \(line)") }
        }
    }

    /// A fresh token, as the daemon makes one per filter request.
    public func token() -> UInt64 {
        nextToken += 1
        return nextToken
    }

    /// Sends `report|VERSION|TIMESTAMP|smtp-in|EVENT|SESSION[|PARAMS]`.
    public func report(_ event: String, session: UInt64, parameters: String? = nil) throws {
        var line = "report|\(version)|1764060000.000001|smtp-in|\(event)|\(Self.hex(session))"
        if let parameters { line += "|" + parameters }
        try send(line: line)
    }

    /// Sends `filter|VERSION|TIMESTAMP|smtp-in|PHASE|SESSION|TOKEN|PARAMS` with raw parameter bytes.
    public func request(_ phase: String, session: UInt64, token: UInt64, parameters: [UInt8]) throws {
        let head = "filter|\(version)|1764060000.000002|smtp-in|\(phase)|\(Self.hex(session))|\(Self.hex(token))|"
        try send(Array(head.utf8) + parameters + [10])
    }

    /// Sends a filter request and returns the filter's `filter-result` line.
    public func query(_ phase: String, session: UInt64, parameters: String = "", timeout: Double = 5) throws -> String {
        let token = token()
        try request(phase, session: session, token: token, parameters: Array(parameters.utf8))
        return try receiveLine(timeout: timeout)
    }

    /// Sends a message as `data-line` requests (lines as on the wire, dot-stuffed, without
    /// the final dot, which is added) and returns the filter's output lines (payloads of
    /// its `filter-dataline` lines, final dot included) as bytes.
    public func message(_ lines: [[UInt8]], session: UInt64, timeout: Double = 5) throws -> [[UInt8]] {
        let token = token()
        for line in lines + [[UInt8(ascii: ".")]] {
            try request("data-line", session: session, token: token, parameters: line)
        }
        let prefix = Array("filter-dataline|\(Self.hex(session))|\(Self.hex(token))|".utf8)
        var output: [[UInt8]] = []
        while output.last != [UInt8(ascii: ".")] {
            let line = try receiveBytes(timeout: timeout)
            guard line.starts(with: prefix) else {
                throw DoubleError.malformed("expected filter-dataline for this message, got \(String(decoding: line, as: UTF8.self))")
            }
            output.append(Array(line[prefix.count...]))
        }
        return output
    }

    /// The next line from the filter, as text.
    public func receiveLine(timeout: Double = 5) throws -> String {
        String(decoding: try receiveBytes(timeout: timeout), as: UTF8.self)
    }

    /// The next line from the filter, as bytes without its `\n`.
    public func receiveBytes(timeout: Double = 5) throws -> [UInt8] {
        let deadline = FilterProcess.now() + timeout
        while true {
            let from = inboxStart
            let found: Int? = inbox.withUnsafeBufferPointer { all in
                guard from < all.count, let base = all.baseAddress, let hit = memchr(base + from, 10, all.count - from) else { return nil }
                return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if let newline = found {
                let line = Array(inbox[inboxStart..<newline])
                inboxStart = newline + 1
                compactInbox()
                return line
            }
            try fillInbox(until: deadline, waitingFor: "a line from the filter")
        }
    }

    /// The next `count` bytes from the filter, lines and all (a benchmark compares a whole
    /// message's answers at once).
    public func receive(count: Int, timeout: Double = 5) throws -> ArraySlice<UInt8> {
        let deadline = FilterProcess.now() + timeout
        while inbox.count - inboxStart < count {
            try fillInbox(until: deadline, waitingFor: "\(count) bytes from the filter")
        }
        let bytes = inbox[inboxStart..<(inboxStart + count)]
        inboxStart += count
        compactInbox()
        return bytes
    }

    private func compactInbox() {
        if inboxStart == inbox.count || inboxStart >= 65536 {
            inbox.removeFirst(inboxStart)
            inboxStart = 0
        }
    }

    /// Reads what the filter has sent (waiting for it until `deadline`) into the inbox.
    private func fillInbox(until deadline: Double, waitingFor what: String) throws {
        let remaining = deadline - FilterProcess.now()
        guard remaining > 0 else { throw DoubleError.timeout(what) }
        let source = process.outputDescriptor ?? process.channel.descriptor
        var entry = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, Int32(min(remaining, 1) * 1000) + 1)
        let before = inbox.count
        inbox.append(contentsOf: repeatElement(0, count: 65536))
        let count = inbox.withUnsafeMutableBytes { read(source, $0.baseAddress! + before, 65536) }
        inbox.removeLast(65536 - max(0, count))
        if count == 0 { throw DoubleError.channelClosed }
        if count < 0 && errno != EAGAIN && errno != EINTR { throw DoubleError.system("read", errno) }
    }

    /// Whether a line arrives within `timeout` seconds (it stays queued).
    public func lineArrives(within timeout: Double) throws -> Bool {
        do {
            let line = try receiveBytes(timeout: timeout)
            inbox = line + [10] + inbox[inboxStart...]
            inboxStart = 0
            return true
        } catch DoubleError.timeout {
            return false
        }
    }

    /// 16 lowercase hex digits, as the daemon writes ids.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}
