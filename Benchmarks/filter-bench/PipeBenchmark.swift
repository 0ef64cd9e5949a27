// The default mode: queries answered per second (pipelined, 100 sessions) and message bytes
// per second through the data pipe, with filter-example (a pass-through data-line filter).
import SMTPDTestDouble
#if canImport(Glibc)
import Glibc
#endif

/// The default mode's command line.
struct Options {
    var filter = FilterProcess.builtExecutable(named: "filter-example")
    var queries = 200_000
    var megabytes = 64

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--filter": filter = iterator.next() ?? filter
            case "--queries": queries = iterator.next().flatMap(Int.init) ?? queries
            case "--megabytes": megabytes = iterator.next().flatMap(Int.init) ?? megabytes
            case "--quick": queries = 20_000; megabytes = 8
            default:
                print("usage: filter-bench [--filter PATH] [--queries N] [--megabytes N] [--quick]")
                print("       filter-bench rules [--filter PATH] [--seconds S] [--quick]")
                exit(2)
            }
        }
    }
}

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
            guard ParsedResponse(frame) != nil else { throw DoubleError.malformed("not a response") }
            answered += 1
        }
    }
    let elapsed = seconds(ContinuousClock.now - start)
    for session in sessions { try smtpd.event(.disconnect, session: session) }
    return Double(answered) / elapsed
}

func benchmarkData(_ smtpd: SMTPDDouble, megabytes: Int, lineLength: Int) throws -> Double {
    let line = [UInt8](repeating: UInt8(ascii: "m"), count: lineLength - 1) + [0x0a]
    var message: [UInt8] = []
    message.reserveCapacity(megabytes << 20)
    while message.count < megabytes << 20 { message += line }
    let session: UInt64 = 0xbe7c4
    _ = try smtpd.connect(session: session)
    _ = try smtpd.ask(.data, session: session)
    let start = ContinuousClock.now
    let result = try smtpd.pushMessage(message, session: session, timeout: 600)
    let elapsed = seconds(ContinuousClock.now - start)
    guard result.output == message, result.response.dataLength == UInt32(message.count) else {
        throw DoubleError.malformed("the message did not come back byte for byte")
    }
    try smtpd.event(.disconnect, session: session)
    return Double(message.count) / elapsed
}

/// Runs the default mode with the process's arguments.
func runPipeBenchmark(_ arguments: [String]) {
    let options = Options(arguments)
    do {
        let process = try FilterProcess(executable: options.filter, name: "bench")
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "bench")
        print("filter: \(options.filter)")
        let qps = try benchmarkQueries(smtpd, total: options.queries)
        print("queries answered per second (100 sessions, pipelined): \(Int(qps))")
        for lineLength in [80, 16_384] {
            let bps = try benchmarkData(smtpd, megabytes: options.megabytes, lineLength: lineLength)
            print("data through the pipe, \(lineLength)-byte lines: \((bps / 1_048_576 * 10).rounded() / 10) MiB/s")
        }
    } catch {
        print("filter-bench: \(error)")
        exit(1)
    }
}
