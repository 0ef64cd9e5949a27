// The default mode: queries answered per second (pipelined, 100 sessions) and message bytes
// per second through the data pipe, with filter-example (a pass-through data-line filter).
import SMTPDTestDouble

/// The options of the default (pipe) mode, as its command sets them.
struct PipeOptions {
    var filter = FilterProcess.builtExecutable(named: "filter-example")
    var queries = 200_000
    var megabytes = 64

    /// The defaults, or with `quick` the smaller runs of --quick.
    init(quick: Bool = false) {
        if quick { queries = 20_000; megabytes = 8 }
    }
}

/// Answers per second to `total` queries, pipelined: one query for each of 100 sessions,
/// then their 100 answers, cycling through HELO, MAIL, RCPT and DATA.
func benchmarkQueries(_ smtpd: SMTPDDouble, total: Int) throws -> Double {
    let sessions = (1...100).map { UInt64($0) }
    for session in sessions { try smtpd.event(.connect, session: session) }
    let extras: [(Wire.Query, [UInt8])] = [
        (.helo, SMTPDDouble.heloExtra("client.example.org")),
        (.mail, SMTPDDouble.mailaddrExtra(user: "sender", domain: "example.org")),
        (.rcpt, SMTPDDouble.mailaddrExtra(user: "rcpt", domain: "example.net")),
        (.data, []),
    ]
    var answered = 0
    let start = ContinuousClock.now
    var round = 0
    while answered < total {
        let (query, extra) = extras[round % extras.count]
        round += 1
        for session in sessions { try smtpd.sendQuery(query, session: session, extra: extra) }
        for _ in sessions {
            let frame = try smtpd.process.receiveFrame()
            guard ParsedResponse(frame) != nil else {
                throw BenchmarkFailure("the filter answered a query with a frame of type \(frame.type), not a response")
            }
            answered += 1
        }
    }
    let elapsed = seconds(ContinuousClock.now - start)
    for session in sessions { try smtpd.event(.disconnect, session: session) }
    return Double(answered) / elapsed
}

/// Bytes per second of one message of `megabytes` MiB in lines of `lineLength` bytes
/// through the data pipe; the filter must give it back byte for byte.
func benchmarkData(_ smtpd: SMTPDDouble, megabytes: Int, lineLength: Int) throws -> Double {
    let line = [UInt8](repeating: UInt8(ascii: "m"), count: lineLength - 1) + [0x0a]
    var message: [UInt8] = []
    message.reserveCapacity(megabytes << 20)
    while message.count < megabytes << 20 { message += line }
    let session: UInt64 = 0xbe7c4
    try expectAccepted(smtpd.connect(session: session), "CONNECT")
    try expectAccepted(smtpd.ask(.data, session: session), "DATA")
    let elapsed = try smtpd.pushAcceptedMessage(message, session: session)
    try smtpd.event(.disconnect, session: session)
    return Double(message.count) / elapsed
}

/// Runs the default mode.
func runPipeBenchmark(_ options: PipeOptions) throws {
    try requireFilter(options.filter, product: "filter-example")
    let process = try FilterProcess(executable: options.filter, name: "bench")
    let smtpd = SMTPDDouble(process: process)
    _ = try smtpd.register(name: "bench")
    print("filter: \(options.filter)")
    let qps = try benchmarkQueries(smtpd, total: options.queries)
    print("queries answered per second (100 sessions, pipelined): \(Int(qps))")
    for lineLength in [80, 16_384] {
        let bps = try benchmarkData(smtpd, megabytes: options.megabytes, lineLength: lineLength)
        print("data through the pipe, \(lineLength)-byte lines: \(fixed(bps / 1_048_576, 1)) MiB/s")
    }
}
