import Foundation
import SMTPDTestDouble
import Testing
import TestSupport

/// The repository's root, for its contrib files.
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The expressions of the Grafana dashboard's panels, with Grafana's variables replaced as
/// Grafana would for a 5-minute rate window and every job and instance.
func dashboardExpressions() throws -> [String] {
    let url = repositoryRoot.appendingPathComponent("contrib/grafana/filter-rules-dashboard.json")
    let dashboard = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
    var expressions: [String] = []
    func walk(_ value: Any) {
        if let object = value as? [String: Any] {
            if let targets = object["targets"] as? [[String: Any]] {
                expressions += targets.compactMap { $0["expr"] as? String }
            }
            object.values.forEach(walk)
        } else if let array = value as? [Any] {
            array.forEach(walk)
        }
    }
    walk(dashboard)
    return expressions.map {
        $0.replacingOccurrences(of: "$__rate_interval", with: "5m").replacingOccurrences(of: "$__interval", with: "1m")
            .replacingOccurrences(of: "$__range", with: "1h").replacingOccurrences(of: "$job", with: ".*")
            .replacingOccurrences(of: "$instance", with: ".*")
    }
}

/// Runs promtool with `arguments` in `directory`; its exit status and output.
private func promtool(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: PrometheusServer.promtool)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

@Suite(
    "contrib/prometheus: alerting rules and their unit tests (promtool)",
    .enabled(if: PrometheusServer.isInstalled, "needs prometheus and promtool (Debian package prometheus; scripts/test installs it)"))
struct PrometheusContribTests {
    let directory = repositoryRoot.appendingPathComponent("contrib/prometheus")

    @Test("promtool check rules, check config and test rules pass")
    func promtoolPasses() throws {
        let check = try promtool(["check", "rules", "filter-rules.rules.yml"], in: directory)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 7 rules found"), "\(check.output)")
        let config = try promtool(["check", "config", "prometheus.yml"], in: directory)
        #expect(config.status == 0, "\(config.output)")
        let tests = try promtool(["test", "rules", "filter-rules.rules.test.yml"], in: directory)
        #expect(tests.status == 0, "\(tests.output)")
    }

    @Test("a broken threshold fails the unit tests (they can fail)")
    func unitTestsCanFail() throws {
        let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("promtool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let rules = try String(contentsOf: directory.appendingPathComponent("filter-rules.rules.yml"), encoding: .utf8)
        let broken = rules.replacingOccurrences(
            of: #"filter_rules_config_last_reload_successful{job="filter-rules"} == 0"#,
            with: #"filter_rules_config_last_reload_successful{job="filter-rules"} == 2"#)
        #expect(broken != rules)
        try broken.write(to: scratch.appendingPathComponent("filter-rules.rules.yml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: directory.appendingPathComponent("filter-rules.rules.test.yml"), to: scratch.appendingPathComponent("filter-rules.rules.test.yml"))
        let tests = try promtool(["test", "rules", "filter-rules.rules.test.yml"], in: scratch)
        #expect(tests.status != 0, "\(tests.output)")
    }
}

extension FilterRulesInteropTests {
    /// filter-rules's metrics endpoint under Debian's smtpd, scraped by Debian's Prometheus.
    @Suite(
        "filter-rules under smtpd: scraped by a real Prometheus",
        .enabled(if: PrometheusServer.isInstalled, "needs prometheus (Debian package prometheus; scripts/test installs it)"))
    struct PrometheusInteropTests {
        @Test("after sessions with known outcomes, Prometheus has exactly those counts; every dashboard query evaluates")
        func scrapedCounts() throws {
            let port = try freeLoopbackPort()
            let rules = """
                set metrics 127.0.0.1:\(port)
                set state-file off
                helo /^refuse\\./ reject 550 "5.7.1 Not you"
                rcpt /^nobody@/ reject 550 "5.1.1 No such user"
                header subject /casino/i junk

                """
            let prometheus = try PrometheusServer(
                targets: ["127.0.0.1:\(port)"], ruleFiles: [repositoryRoot.appendingPathComponent("contrib/prometheus/filter-rules.rules.yml").path])
            defer { prometheus.stop() }
            try withRealSMTPD(rules: rules) { smtpd in
                var plan = SMTPSessionPlan()
                plan.name = "refuse.example"
                let refusedHELO = try smtpd.session(plan)
                #expect(refusedHELO.refusal?.code == 550, "\(refusedHELO)\n\(smtpd.logTail())")
                var unknown = SMTPSessionPlan()
                unknown.recipients = ["nobody@example.net"]
                let refusedRCPT = try smtpd.session(unknown)
                #expect(refusedRCPT.refusal?.code == 550, "\(refusedRCPT)")
                let junk = InteropMessage.sample(subject: "Casino night")
                #expect(try smtpd.session(SMTPSessionPlan(message: junk.bytes)).refusal == nil)
                let clean = InteropMessage.sample(subject: "hello")
                #expect(try smtpd.session(SMTPSessionPlan(message: clean.bytes)).refusal == nil)
                #expect(smtpd.waitForDelivery(containing: clean.marker) != nil, "\(smtpd.logTail())")

                let up = try prometheus.waitFor("up{job=\"filter-rules\"}") { $0 == 1 }
                #expect(up == 1, "the filter was not scraped")
                let messages = try prometheus.waitFor("sum(filter_rules_messages_total)") { $0 == 2 }
                #expect(messages == 2)
                #expect(try prometheus.value("sum(filter_rules_messages_total{result=\"junk\"})") == 1)
                #expect(try prometheus.value("sum(filter_rules_messages_total{result=\"accept\"})") == 1)
                #expect(try prometheus.value("sum(filter_rules_decisions_total{stage=\"helo\",action=\"reject\",mode=\"enforce\"})") == 1)
                #expect(try prometheus.value("sum(filter_rules_decisions_total{stage=\"rcpt\",action=\"reject\",mode=\"enforce\"})") == 1)
                #expect(try prometheus.value("sum(filter_rules_decisions_total{stage=\"header\",action=\"junk\"})") == 1)
                #expect(try prometheus.value("sum(filter_rules_rule_hits_total{rule=~\".*:3\",stage=\"helo\",action=\"reject\"})") == 1)
                #expect(try prometheus.value("sum(filter_rules_rule_hits_total{rule=~\".*:4\",stage=\"rcpt\"})") == 1)
                #expect(try prometheus.value("sum(filter_rules_sessions_total)") == 4)
                #expect(try prometheus.value("filter_rules_config_last_reload_successful") == 1)
                #expect(try prometheus.value("sum(filter_rules_message_bytes_total)") ?? 0 >= Double(junk.bytes.count + clean.bytes.count))
                // Scraped in OpenMetrics (Prometheus asks for it first): the counters' series
                // keep their _total names.
                #expect(try prometheus.query("filter_rules_sessions_total").results.count == 1)

                // Every query of the dashboard evaluates against this Prometheus.
                let expressions = try dashboardExpressions()
                #expect(expressions.count >= 20)
                for expression in expressions {
                    let answer = try prometheus.query(expression)
                    #expect(answer.status == "success", "\(expression): \(answer.error ?? "?")")
                }
                // The alerting rules load, and none fires for a healthy filter.
                #expect(try prometheus.value("count(ALERTS{alertstate=\"firing\"})") == nil)
            }
        }
    }
}
