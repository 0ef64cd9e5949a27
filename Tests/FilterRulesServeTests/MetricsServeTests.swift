import Foundation
import SMTPDTestDouble
import Testing
import TestSupport

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The value of the sample `name{labels}` in a Prometheus text exposition, nil when absent.
func metricValue(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { continue }
        let hasAll = labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
        let labelCount = line.hasPrefix(name + "{") ? line.split(separator: "}")[0].split(separator: "=").count - 1 : 0
        if hasAll, labelCount == labels.count, let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
    }
    return nil
}

/// `serve --metrics`: the endpoint of the real filter under the line protocol double,
/// counting what the sessions it served did.
@Suite("filter-rules serve: the metrics endpoint", .serialized)
struct MetricsServeTests {
    static let rules = """
        set state-file off
        limit probe addr 2/1h
        helo /^bad\\./ reject
        rcpt /^spam@/ reject 550 "5.7.1 No"
        rcpt over probe tempfail
        header subject /casino/i junk
        body /^wire transfer now$/ reject 554 "5.7.1 No fraud"

        """

    @Test("sessions with known outcomes: decisions per stage, rule hits, messages, bytes, limits, the store; stats prints them")
    func countsWhatHappened() throws {
        let port = try freeLoopbackPort()
        let rules = try TemporaryRulesFile(Self.rules)
        let (process, smtpd, _) = try startLineServing(rules, extraArguments: ["--metrics", "127.0.0.1:\(port)"])
        #expect(waitForLog(process, containing: "metrics at http://127.0.0.1:\(port)/metrics"))
        try smtpd.report("link-connect", session: 1, parameters: "c|pass|192.0.2.7:1|192.0.2.1:25")
        let refused = try smtpd.query("helo", session: 1, parameters: "bad.example")
        #expect(refused.contains("|reject|550"), "\(refused)")
        try smtpd.report("link-disconnect", session: 1)
        try smtpd.report("link-connect", session: 2, parameters: "c|pass|192.0.2.8:1|192.0.2.1:25")
        #expect(try smtpd.query("connect", session: 2, parameters: "c|192.0.2.8").hasSuffix("|proceed"))
        #expect(try smtpd.query("ehlo", session: 2, parameters: "good.example").hasSuffix("|proceed"))
        #expect(try smtpd.query("rcpt-to", session: 2, parameters: "<spam@example.org>").hasSuffix("|reject|550 5.7.1 No"))
        #expect(try smtpd.query("rcpt-to", session: 2, parameters: "<a@example.org>").hasSuffix("|proceed"))
        #expect(try smtpd.query("rcpt-to", session: 2, parameters: "<b@example.org>").hasSuffix("|proceed"))
        #expect(try smtpd.query("rcpt-to", session: 2, parameters: "<c@example.org>").contains("|reject|451"))
        let junk: [[UInt8]] = [bytes("Subject: Casino night"), [], bytes("come and play")]
        #expect(try smtpd.message(junk, session: 2) == [bytes("X-Spam: Yes")] + junk + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: 2).hasSuffix("|proceed"))
        let fraud: [[UInt8]] = [bytes("Subject: hi"), [], bytes("wire transfer now")]
        #expect(try smtpd.message(fraud, session: 2) == fraud + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: 2).hasSuffix("|reject|554 5.7.1 No fraud"))
        try smtpd.report("link-disconnect", session: 2)

        // Sessions end on the filter's threads: wait until both are gone.
        var text = ""
        let deadline = Date().addingTimeInterval(5)
        repeat {
            text = try httpGet(port: port).body
            if metricValue(text, "filter_rules_sessions_active") == 0 { break }
            usleep(20_000)
        } while Date() < deadline
        let enforce = ["mode": "enforce"]
        #expect(metricValue(text, "filter_rules_sessions_total") == 2)
        #expect(metricValue(text, "filter_rules_sessions_active") == 0)
        #expect(metricValue(text, "filter_rules_decisions_total", enforce.merging(["stage": "helo", "action": "reject"]) { $1 }) == 1)
        #expect(metricValue(text, "filter_rules_decisions_total", enforce.merging(["stage": "helo", "action": "accept"]) { $1 }) == 1)
        #expect(metricValue(text, "filter_rules_decisions_total", enforce.merging(["stage": "rcpt", "action": "reject"]) { $1 }) == 1)
        #expect(metricValue(text, "filter_rules_decisions_total", enforce.merging(["stage": "rcpt", "action": "accept"]) { $1 }) == 2)
        #expect(metricValue(text, "filter_rules_decisions_total", enforce.merging(["stage": "rcpt", "action": "tempfail"]) { $1 }) == 1)
        #expect(metricValue(text, "filter_rules_decisions_total", enforce.merging(["stage": "header", "action": "junk"]) { $1 }) == 1)
        #expect(metricValue(text, "filter_rules_decisions_total", enforce.merging(["stage": "body", "action": "reject"]) { $1 }) == 1)
        let file = rules.path
        #expect(metricValue(text, "filter_rules_rule_hits_total", ["rule": "\(file):3", "stage": "helo", "action": "reject"]) == 1)
        #expect(metricValue(text, "filter_rules_rule_hits_total", ["rule": "\(file):5", "stage": "rcpt", "action": "tempfail"]) == 1)
        #expect(metricValue(text, "filter_rules_rule_hits_total", ["rule": "\(file):7", "stage": "body", "action": "reject"]) == 1)
        #expect(metricValue(text, "filter_rules_messages_total", ["result": "junk"]) == 1)
        #expect(metricValue(text, "filter_rules_messages_total", ["result": "reject"]) == 1)
        let messageBytes = (junk + fraud).reduce(0) { $0 + $1.count + 1 }
        #expect(metricValue(text, "filter_rules_message_bytes_total") == Double(messageBytes))
        #expect(metricValue(text, "filter_rules_messages_held") == 0)
        #expect(metricValue(text, "filter_rules_limit_exceeded_total", ["limit": "probe"]) == 1)
        #expect(metricValue(text, "filter_rules_store_calls_total", ["backend": "memory", "result": "ok"]) == 3)
        #expect(metricValue(text, "filter_rules_rules_loaded") == 5)
        #expect(metricValue(text, "filter_rules_prefilter_live", ["stage": "rcpt"]) == 1)
        #expect(metricValue(text, "filter_rules_evaluation_seconds_count", ["stage": "rcpt"]) == 4)
        #expect(metricValue(text, "filter_rules_evaluation_seconds_count", ["stage": "message"]) == 2)
        #expect(metricValue(text, "filter_rules_config_last_reload_successful") == 1)

        // The same numbers for a person at a terminal.
        let stats = try runFilterRules(["stats", "127.0.0.1:\(port)"])
        #expect(stats.status == 0, "\(stats.standardError)")
        #expect(stats.standardOutput.contains("sessions: 2 (0 active); messages: 2"), "\(stats.standardOutput)")
        let rows = stats.standardOutput.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["1", "\(file):3", "helo", "reject"]), "\(stats.standardOutput)")
        #expect(rows.contains(["rcpt", "2", "1", "1", "0"]), "\(stats.standardOutput)")
        #expect(rows.firstIndex(of: ["connect", "1", "0", "0", "0"]) ?? 99 < rows.firstIndex { $0.first == "helo" } ?? 0)
        #expect(stats.standardOutput.contains("limits exceeded: probe 1"))
        #expect(stats.standardOutput.contains("reloads: 0 ok, 0 failed; last: in force"))
    }

    @Test("filter API 52 (OpenSMTPD 6.0.x): the same decisions and sessions are counted")
    func filterAPI52() throws {
        let port = try freeLoopbackPort()
        let (_, smtpd) = try startServing(
            try TemporaryRulesFile("set state-file off\nhelo /^bad\\./ reject\n"), extraArguments: ["--metrics", "127.0.0.1:\(port)"])
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try heloCode(smtpd, 1, "bad.example") == 550)
        #expect(try connect(smtpd, session: 2).status == 0)
        #expect(try heloCode(smtpd, 2, "good.example") == 0)
        let text = try httpGet(port: port).body
        #expect(metricValue(text, "filter_rules_decisions_total", ["stage": "helo", "action": "reject", "mode": "enforce"]) == 1)
        #expect(metricValue(text, "filter_rules_decisions_total", ["stage": "helo", "action": "accept", "mode": "enforce"]) == 1)
        #expect(metricValue(text, "filter_rules_sessions_total") == 2)
    }

    @Test("report-only: a refusal held back is counted as that refusal in mode report-only, not as an accept")
    func reportOnly() throws {
        let port = try freeLoopbackPort()
        let (_, smtpd, _) = try startLineServing(
            try TemporaryRulesFile("set state-file off\nhelo /^bad\\./ reject\n"), extraArguments: ["--mode", "report-only", "--metrics", "\(port)"])
        #expect(try smtpd.query("helo", session: 1, parameters: "bad.example").hasSuffix("|proceed"))
        let text = try httpGet(port: port).body
        #expect(metricValue(text, "filter_rules_decisions_total", ["stage": "helo", "action": "reject", "mode": "report-only"]) == 1)
        #expect(metricValue(text, "filter_rules_decisions_total", ["stage": "helo", "action": "accept", "mode": "report-only"]) == nil)
    }

    @Test("a held message counts as held while it comes in, and no longer once its session ends in the middle of it")
    func heldMessageOfAnEndedSession() throws {
        let port = try freeLoopbackPort()
        let (_, smtpd, _) = try startLineServing(
            try TemporaryRulesFile("set state-file off\nheader subject /casino/i junk\n"), extraArguments: ["--metrics", "\(port)"])
        try smtpd.report("link-connect", session: 1, parameters: "c|pass|192.0.2.7:1|192.0.2.1:25")
        for line in ["Subject: hi", "", "half a message"] {
            try smtpd.request("data-line", session: 1, token: 0x77, parameters: Array(line.utf8))
        }
        func held() throws -> Double? { metricValue(try httpGet(port: port).body, "filter_rules_messages_held") }
        let deadline = Date().addingTimeInterval(5)
        while try held() != 1, Date() < deadline { usleep(20_000) }
        #expect(try held() == 1)
        try smtpd.report("link-disconnect", session: 1)
        while try held() != 0, Date() < deadline { usleep(20_000) }
        #expect(try held() == 0)
        #expect(metricValue(try httpGet(port: port).body, "filter_rules_sessions_active") == 0)
    }

    @Test("a reload is counted by its result; a failed one sets last_reload_successful to 0")
    func reloads() throws {
        let port = try freeLoopbackPort()
        let rules = try TemporaryRulesFile("set state-file off\nhelo /^bad\\./ reject\n")
        let (process, _, _) = try startLineServing(rules, extraArguments: ["--metrics", "\(port)"])
        #expect(waitForLog(process, containing: "metrics at"))
        try "set state-file off\nhelo /^worse\\./ reject\nrcpt /x/ reject\n".write(toFile: rules.path, atomically: true, encoding: .utf8)
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded"))
        var text = try httpGet(port: port).body
        #expect(metricValue(text, "filter_rules_reloads_total", ["result": "ok"]) == 1)
        #expect(metricValue(text, "filter_rules_rules_loaded") == 2)
        try "helo /[/ reject\n".write(toFile: rules.path, atomically: true, encoding: .utf8)
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reload of"))
        text = try httpGet(port: port).body
        #expect(metricValue(text, "filter_rules_reloads_total", ["result": "failed"]) == 1)
        #expect(metricValue(text, "filter_rules_config_last_reload_successful") == 0)
        #expect(metricValue(text, "filter_rules_rules_loaded") == 2)
    }

    @Test("a port in use is one error line: the filter serves on without metrics")
    func portInUse() throws {
        let port = try freeLoopbackPort()
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(holder, 1) == 0)
        let (process, smtpd, _) = try startLineServing(
            try TemporaryRulesFile("set state-file off\nset metrics 127.0.0.1:\(port)\nhelo /^bad\\./ reject\n"))
        #expect(waitForLog(process, containing: "cannot listen"))
        #expect(try smtpd.query("helo", session: 1, parameters: "bad.example").contains("|reject|"))
        #expect(logCount(process, "metrics endpoint") == 1)
    }

    @Test("1,000 idle connections, a 1 MB request line and a client that never reads: HELO answers keep their latency")
    func hostileClients() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4096 {
            limit.rlim_cur = min(4096, limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let port = try freeLoopbackPort()
        let (_, smtpd, _) = try startLineServing(
            try TemporaryRulesFile("set state-file off\nhelo /^bad\\./ reject\n"), extraArguments: ["--metrics", "127.0.0.1:\(port)"])
        func heloLatencies(_ count: Int) throws -> [Double] {
            var latencies: [Double] = []
            for index in 0..<count {
                let started = Date()
                let answer = try smtpd.query("helo", session: UInt64(100 + index), parameters: "good.example")
                latencies.append(Date().timeIntervalSince(started))
                #expect(answer.hasSuffix("|proceed"))
            }
            return latencies
        }
        _ = try heloLatencies(50)
        let quiet = try heloLatencies(200).sorted()
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<1000 { sockets.append(try connectedSocket(port: port)) }
        let huge = try connectedSocket(port: port)
        sockets.append(huge)
        let line = Array("GET /".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
        _ = line.withUnsafeBytes { send(huge, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        let reader = try connectedSocket(port: port)
        sockets.append(reader)
        let requests = Array(String(repeating: "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", count: 500).utf8)
        _ = requests.withUnsafeBytes { send(reader, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        let busy = try heloLatencies(200).sorted()
        // The medians stay within a millisecond of each other, the slowest under 100 ms.
        #expect(busy[100] < quiet[100] + 0.001, "median \(busy[100]) s against \(quiet[100]) s")
        #expect(busy[199] < 0.1, "slowest \(busy[199]) s")
        #expect(try httpGet(port: port, timeout: 2).status == 200)
    }
}

/// The DNS list and store metrics of the real filter, against Debian's nsd, a DNS server
/// that never answers, and a Redis address where nothing listens.
@Suite(
    "filter-rules serve: DNS list and store metrics", .serialized,
    .enabled(if: NSDServer.isInstalled, "needs /usr/sbin/nsd (Debian package nsd; scripts/test installs it)"))
struct MetricsDNSAndStoreServeTests {
    /// Connects session `session` from `address`; the filter's answer.
    static func connect(_ smtpd: LineDaemonDouble, _ session: UInt64, _ address: String) throws -> String {
        try smtpd.report("link-connect", session: session, parameters: "c|pass|\(address):1|192.0.2.1:25")
        return try smtpd.query("connect", session: session, parameters: "c|\(address)")
    }

    @Test("queries by result (listed, clean, blocked, timeout), cache hits, and a lookup histogram per list")
    func dnsLists() throws {
        let server = try NSDServer(zones: DNSListServeTests.zones)
        defer { server.stop() }
        let port = try freeLoopbackPort()
        let rules = """
            dnslist zen zen.test 127.0.0.2-127.0.0.11
            set resolver \(server.address)
            set state-file off
            addr listed zen reject 554 "5.7.1 Listed"

            """
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(rules), extraArguments: ["--metrics", "\(port)"])
        #expect(try Self.connect(smtpd, 1, "192.0.2.99").contains("|reject|554"))
        #expect(try Self.connect(smtpd, 2, "192.0.2.10").hasSuffix("|proceed"))
        #expect(try Self.connect(smtpd, 3, "192.0.2.97").hasSuffix("|proceed"))
        #expect(try Self.connect(smtpd, 4, "192.0.2.99").contains("|reject|554"))
        let text = try httpGet(port: port).body
        #expect(metricValue(text, "filter_rules_dnslist_queries_total", ["list": "zen", "result": "listed"]) == 1)
        #expect(metricValue(text, "filter_rules_dnslist_queries_total", ["list": "zen", "result": "clean"]) == 1)
        #expect(metricValue(text, "filter_rules_dnslist_queries_total", ["list": "zen", "result": "blocked"]) == 1)
        #expect(metricValue(text, "filter_rules_dnslist_cache_hits_total", ["list": "zen"]) ?? 0 >= 1)
        #expect(metricValue(text, "filter_rules_dnslist_lookup_seconds_count", ["list": "zen"]) == 3)

        let silent = try ScriptedDNSServer { _ in .silence }
        defer { silent.stop() }
        let silentPort = try freeLoopbackPort()
        let (_, quiet, _) = try startLineServing(
            try TemporaryRulesFile(rules.replacingOccurrences(of: server.address, with: silent.address)),
            extraArguments: ["--metrics", "\(silentPort)"])
        #expect(try Self.connect(quiet, 1, "192.0.2.99", timeout: 10).hasSuffix("|proceed"))
        #expect(metricValue(try httpGet(port: silentPort).body, "filter_rules_dnslist_queries_total", ["list": "zen", "result": "timeout"]) == 1)
    }

    @Test("a Redis store where nothing listens: calls counted as failed, then unavailable with the breaker open")
    func redisDown() throws {
        let port = try freeLoopbackPort()
        let redisPort = try freeLoopbackPort()
        let rules = """
            set store "redis://127.0.0.1:\(redisPort)/0"
            set state-file off
            limit per-client addr 100/1m
            rcpt over per-client tempfail

            """
        let (_, smtpd, _) = try startLineServing(try TemporaryRulesFile(rules), extraArguments: ["--metrics", "\(port)"])
        #expect(try Self.connect(smtpd, 1, "192.0.2.5").hasSuffix("|proceed"))
        for index in 0..<12 {
            #expect(try smtpd.query("rcpt-to", session: 1, parameters: "<u\(index)@example.org>").hasSuffix("|proceed"))
        }
        let text = try httpGet(port: port).body
        let failed = ["timeout", "error", "unavailable"].compactMap {
            metricValue(text, "filter_rules_store_calls_total", ["backend": "redis", "result": $0])
        }
        #expect(failed.reduce(0, +) == 12, "\(text)")
        #expect(metricValue(text, "filter_rules_store_calls_total", ["backend": "redis", "result": "unavailable"]) ?? 0 >= 1)
        #expect(metricValue(text, "filter_rules_store_breaker_open", ["backend": "redis"]) == 1)
        #expect(metricValue(text, "filter_rules_limit_exceeded_total", ["limit": "per-client"]) == nil)
    }
}

extension MetricsDNSAndStoreServeTests {
    static func connect(_ smtpd: LineDaemonDouble, _ session: UInt64, _ address: String, timeout: Double) throws -> String {
        try smtpd.report("link-connect", session: session, parameters: "c|pass|\(address):1|192.0.2.1:25")
        return try smtpd.query("connect", session: session, parameters: "c|\(address)", timeout: timeout)
    }
}
