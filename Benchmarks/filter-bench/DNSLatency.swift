// The dns mode (issue 24): what DNS list rules cost the answers of the line protocol.
// 1,000 sessions of filter-rules serve, EHLO answers one at a time (the latency of one
// answer, not of a queue), in four cases measured in interleaved rounds:
//   - no DNS rules: `helo /^never\.invalid$/ reject`, the reference;
//   - cache hits: `helo listed dbl` where every HELO name was looked up before;
//   - misses: `helo listed dbl` with a new HELO name each time, nsd on 127.0.0.1 answering;
//   - slow list: the rules look up the HELO name in a list whose server answers after
//     500 ms, and 100 sessions have such an EHLO waiting all the time; what is measured is
//     the answer to RCPT of the other sessions, which looks nothing up.
import Foundation
import SMTPDTestDouble
import TestSupport

/// How many rounds the dns cases are measured in, interleaved.
let dnsRounds = 3

/// Runs the dns mode.
func runDNSLatencyBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    guard NSDServer.isInstalled else { throw BenchmarkFailure("the dns mode needs nsd (Debian package nsd)") }
    let zone = """
        $ORIGIN dbl.test.
        $TTL 3600
        @ IN SOA ns.dbl.test. admin.dbl.test. 1 3600 600 86400 3600
        @ IN NS ns.dbl.test.
        listed.example IN A 127.0.1.2
        """
    let server = try NSDServer(zones: ["dbl.test": zone])
    defer { server.stop() }
    let slow = try ScriptedDNSServer { query in .send(ScriptedDNSServer.answer(to: query, rcode: 3), delay: .milliseconds(500)) }
    defer { slow.stop() }
    func rules(_ resolver: String) -> String {
        "dnslist dbl dbl.test 127.0.1.0/24\nset resolver \(resolver)\nhelo listed dbl reject 550 \"5.7.1 HELO listed\"\n"
    }
    print("filter: \(options.filter)")
    print("1,000 sessions on the line protocol (0.6), answers one at a time; nsd on 127.0.0.1; the slow list answers after 500 ms")
    print("\(dnsRounds) interleaved rounds per case, each at least \(fixed(max(options.secondsPerCase, 1), 1)) s and 2,000 queries")
    print("")
    let files = [
        ("no DNS rules", try TemporaryFile("helo /^never\\.invalid$/ reject\n", name: "rules.conf")),
        ("cache hits", try TemporaryFile(rules(server.address), name: "rules.conf")),
        ("misses (nsd)", try TemporaryFile(rules(server.address), name: "rules.conf")),
        ("slow list, RCPT of others", try TemporaryFile(rules(slow.address), name: "rules.conf")),
    ]
    var cases: [DNSCase] = []
    for (name, file) in files {
        let process = try FilterProcess(
            executable: options.filter, name: "rules", arguments: [file.path], channelOnStandardOutput: true)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        var item = DNSCase(name: name, process: process, smtpd: smtpd)
        try item.connectSessions()
        cases.append(item)
    }
    // Warm the cache: every HELO name of the cache-hit case looked up once.
    try cases[1].warm()
    try cases[3].startWaiting()
    for _ in 0..<dnsRounds {
        for index in cases.indices { try cases[index].measure(seconds: max(options.secondsPerCase, 1)) }
    }
    print("| case | queries | p50 | p99 | largest | p50, p99 vs no DNS rules |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    let reference = cases[0].percentiles()
    for item in cases {
        let (p50, p99) = item.percentiles()
        print(
            "| \(item.name) | \(grouped(item.samples.count)) | \(fixed(p50 * 1e6, 0)) µs | \(fixed(p99 * 1e6, 0)) µs "
                + "| \(fixed(item.samples.max()! * 1e6, 0)) µs | \(fixed(p50 / reference.p50, 2)), \(fixed(p99 / reference.p99, 2)) |")
    }
}

/// One filter of the dns mode, its sessions, and the latencies of its answers.
private struct DNSCase {
    let name: String
    let process: FilterProcess
    let smtpd: LineDaemonDouble
    var samples: [Double] = []
    let sessions = (0..<1_000).map { UInt64(0x7000 + $0) }
    /// Queries sent so far.
    private var index = 0
    /// Tokens of EHLO queries left waiting on the slow list (their answers are skipped).
    private var waiting: Set<UInt64> = []
    /// Sessions whose EHLO waits, one per waiting token.
    private var waitingSession: [UInt64: UInt64] = [:]

    init(name: String, process: FilterProcess, smtpd: LineDaemonDouble) {
        self.name = name
        self.process = process
        self.smtpd = smtpd
    }

    var isSlowCase: Bool { name.hasPrefix("slow") }

    mutating func connectSessions() throws {
        for (offset, session) in sessions.enumerated() {
            let address = "192.0.\(2 + offset / 250).\(offset % 250 + 1)"
            try smtpd.report("link-connect", session: session, parameters: "c|pass|\(address):1|192.0.2.254:25")
            try expect(try smtpd.query("connect", session: session, parameters: "c|\(address)"), "connect")
        }
    }

    /// Looks every HELO name of the cache-hit case up once.
    mutating func warm() throws {
        for session in sessions { try expect(try smtpd.query("ehlo", session: session, parameters: heloName(session)), "warm-up EHLO") }
    }

    /// Sends an EHLO that waits on the slow list from each of the first 100 sessions.
    mutating func startWaiting() throws {
        for session in sessions.prefix(100) { try sendWaitingEHLO(session) }
    }

    private mutating func sendWaitingEHLO(_ session: UInt64) throws {
        let token = smtpd.token()
        waiting.insert(token)
        waitingSession[token] = session
        index += 1
        try smtpd.request("ehlo", session: session, token: token, parameters: Array("slow\(index).example".utf8))
    }

    private func heloName(_ session: UInt64) -> String { "host\(session).example" }

    /// One round: queries one at a time for `minimum` seconds and at least 2,000.
    mutating func measure(seconds minimum: Double) throws {
        let start = ContinuousClock.now
        var count = 0
        while seconds(ContinuousClock.now - start) < minimum || count < 2_000 {
            let session: UInt64
            let phase: String, parameters: String
            if isSlowCase {
                session = sessions[100 + index % 900]
                (phase, parameters) = ("rcpt-to", "<user\(index)@example.org>")
            } else {
                session = sessions[index % sessions.count]
                let helo = name == "misses (nsd)" ? "miss\(index).example" : heloName(session)
                (phase, parameters) = ("ehlo", helo)
            }
            index += 1
            let token = smtpd.token()
            let sent = ContinuousClock.now
            try smtpd.request(phase, session: session, token: token, parameters: Array(parameters.utf8))
            try awaitAnswer(token: token)
            samples.append(seconds(ContinuousClock.now - sent))
            count += 1
        }
    }

    /// Reads answers until the one of `token`; an answer of a waiting EHLO sends the next.
    private mutating func awaitAnswer(token: UInt64) throws {
        while true {
            let line = try smtpd.receiveLine(timeout: 10)
            let fields = line.split(separator: "|")
            guard fields.count >= 4, let answered = UInt64(fields[2], radix: 16) else {
                throw BenchmarkFailure("unexpected line from the filter: \(line)")
            }
            if answered == token {
                try expect(line, "the measured query")
                return
            }
            guard waiting.remove(answered) != nil, let session = waitingSession.removeValue(forKey: answered) else {
                throw BenchmarkFailure("an answer for no query: \(line)")
            }
            try sendWaitingEHLO(session)
        }
    }

    private func expect(_ line: String, _ what: String) throws {
        guard line.hasSuffix("|proceed") else { throw BenchmarkFailure("\(what) was not accepted: \(line)") }
    }

    func percentiles() -> (p50: Double, p99: Double) { medianAndP99(samples) }
}
