// The store mode (issue 25): what a rate limit costs the answers of the line protocol, and
// what the embedded store costs in memory.
//   - RCPT answers one at a time from 1,000 sessions of filter-rules serve, without a limit
//     (`rcpt /^never@invalid$/ reject`, the reference) and with `rcpt over per-client` on a
//     limit per client address that no session reaches (every answer counts a key), kept
//     in the filter's memory, and in a redis-server on 127.0.0.1 when it is installed;
//   - 1,000,000 keys of each kind (a limit's, a dynamic list's, greylisting's triplets) in a
//     MemoryStore of this process: resident memory per key.
import CVectorscan
import Foundation
import Logging
import RuleStores
import SMTPDTestDouble
import TestSupport

/// Runs the store mode.
func runStoreBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    print("filter: \(options.filter)")
    print("1,000 sessions on the line protocol (0.6), RCPT answers one at a time")
    print("3 interleaved rounds per case, each at least \(fixed(max(options.secondsPerCase, 1), 1)) s and 2,000 queries")
    print("")
    let limit = "limit per-client addr 1000000/1s\nrcpt over per-client tempfail 451 \"4.7.1 Slow down\"\n"
    var files = [
        ("no limit", try TemporaryFile("set state-file off\nrcpt /^never@invalid$/ reject\n", name: "rules.conf")),
        ("one limit (embedded store)", try TemporaryFile("set state-file off\n" + limit, name: "rules.conf")),
    ]
    // Redis over TCP on the loopback, when redis-server is installed.
    let redis = RedisServer.isInstalled ? try RedisServer() : nil
    defer { redis?.stop() }
    if let redis {
        files.append(("one limit (Redis, TCP loopback)", try TemporaryFile("set store \(redis.tcpURL())\n" + limit, name: "rules.conf")))
    }
    var cases: [StoreCase] = []
    for (name, file) in files {
        let process = try FilterProcess(executable: options.filter, name: "rules", arguments: [file.path], channelOnStandardOutput: true)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        var item = StoreCase(name: name, smtpd: smtpd)
        try item.connectSessions()
        cases.append(item)
    }
    for _ in 0..<3 {
        for index in cases.indices { try cases[index].measure(seconds: max(options.secondsPerCase, 1)) }
    }
    print("| case | answers | answers/s | p50 | p99 | answers/s, p99 vs no limit |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    let reference = cases[0]
    for item in cases {
        let (p50, p99) = medianAndP99(item.samples)
        print(
            "| \(item.name) | \(grouped(item.samples.count)) | \(grouped(Int(item.rate))) | \(fixed(p50 * 1e6, 0)) µs | \(fixed(p99 * 1e6, 0)) µs "
                + "| \(fixed(item.rate / reference.rate, 2)), \(fixed(p99 / medianAndP99(reference.samples).p99, 2)) |")
    }
    print("")
    memoryPerKey()
}

/// Resident memory per key of a MemoryStore filled with 1,000,000 keys of each kind.
private func memoryPerKey() {
    let count = 1_000_000
    let quiet = Logger(label: "filter-bench") { _ in SwiftLogNoOpLogHandler() }
    let rate = Rate(count: 10, periodMilliseconds: 3_600_000)
    print("| 1,000,000 keys in the embedded store | bytes per key |")
    print("| --- | ---: |")
    for kind in ["limit (addr/24)", "dynamic list (address)", "greylisting triplet"] {
        // The store of the kind before was freed: its pages go back to the system first (the
        // shim's malloc_trim), or this kind would be measured in memory the last one left.
        cvectorscan_release_compile_memory()
        let before = residentBytes()
        let store = MemoryStore(maximumKeys: count, logger: quiet)
        for index in 0..<count {
            let address = "\(10 + index >> 16).\(index >> 8 & 0xff).\(index & 0xff)"
            switch kind {
            case "limit (addr/24)": _ = store.take(limit: "per-client", key: "\(address).0/24", rate: rate, now: 0)
            case "dynamic list (address)": store.add(list: "banned", key: "\(address).7", ttlMilliseconds: 3_600_000, now: 0)
            default: _ = store.greylist("\(address).0/24 sender\(index)@example.net rcpt@example.org", now: 0, policy: Greylisting())
            }
        }
        let used = residentBytes() - before
        print("| \(kind) | \(grouped(used / count)) |")
        withExtendedLifetime(store) {}
    }
}

/// One filter of the store mode and the latencies of its answers.
private struct StoreCase {
    let name: String
    let smtpd: LineDaemonDouble
    var samples: [Double] = []
    var elapsed = 0.0
    let sessions = (0..<1_000).map { UInt64(0x9000 + $0) }
    private var index = 0

    init(name: String, smtpd: LineDaemonDouble) {
        self.name = name
        self.smtpd = smtpd
    }

    /// Answers per second over every round.
    var rate: Double { Double(samples.count) / elapsed }

    mutating func connectSessions() throws {
        for (offset, session) in sessions.enumerated() {
            let address = "192.0.\(2 + offset / 250).\(offset % 250 + 1)"
            try smtpd.report("link-connect", session: session, parameters: "c|pass|\(address):1|192.0.2.254:25")
            try expect(try smtpd.query("connect", session: session, parameters: "c|\(address)"), "connect")
        }
    }

    /// One round: RCPT queries one at a time for `minimum` seconds and at least 2,000.
    mutating func measure(seconds minimum: Double) throws {
        let start = ContinuousClock.now
        var count = 0
        while seconds(ContinuousClock.now - start) < minimum || count < 2_000 {
            let session = sessions[index % sessions.count]
            index += 1
            let sent = ContinuousClock.now
            try expect(try smtpd.query("rcpt-to", session: session, parameters: "<user\(index)@example.org>"), "RCPT")
            samples.append(seconds(ContinuousClock.now - sent))
            count += 1
        }
        elapsed += seconds(ContinuousClock.now - start)
    }

    private func expect(_ line: String, _ what: String) throws {
        guard line.hasSuffix("|proceed") else { throw BenchmarkFailure("\(what) was not accepted: \(line)") }
    }
}
