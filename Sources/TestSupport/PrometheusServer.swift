import Foundation
import SMTPDTestDouble

/// Debian's Prometheus (package prometheus), started and stopped by a test on a free port
/// of 127.0.0.1 with its data in a directory of its own, scraping the given targets every
/// second as job `filter-rules`; asked through its HTTP API.
public final class PrometheusServer {
    /// Where Debian installs the server.
    public static let executable = "/usr/bin/prometheus"
    /// Where Debian installs promtool.
    public static let promtool = "/usr/bin/promtool"
    /// Whether both are installed (scripts/test installs them).
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: executable) && FileManager.default.isExecutableFile(atPath: promtool)
    }

    /// The port its API listens on.
    public let port: Int
    private let directory: URL
    private var pid: pid_t = 0

    /// Starts a server scraping `targets` (`127.0.0.1:PORT`) every second, evaluating the
    /// alerting rules of `ruleFiles` (copied in), and waits until it is ready.
    public init(targets: [String], ruleFiles: [String] = []) throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("prometheus-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try freeLoopbackPort()
        var ruleNames: [String] = []
        for file in ruleFiles {
            let name = URL(fileURLWithPath: file).lastPathComponent
            try FileManager.default.copyItem(atPath: file, toPath: directory.appendingPathComponent(name).path)
            ruleNames.append(name)
        }
        let configuration = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [\(ruleNames.map { "\"\($0)\"" }.joined(separator: ", "))]
            scrape_configs:
              - job_name: filter-rules
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: [\(targets.map { "\"\($0)\"" }.joined(separator: ", "))]

            """
        let configurationPath = directory.appendingPathComponent("prometheus.yml").path
        try configuration.write(toFile: configurationPath, atomically: true, encoding: .utf8)
        let arguments = [
            "prometheus", "--config.file=\(configurationPath)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        let log = directory.appendingPathComponent("prometheus.log")
        pid = try TestDaemon.spawn(Self.executable, argv: arguments, log: log)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? httpGet(port: port, path: "/-/ready", timeout: 1))?.status == 200 { return }
            usleep(100_000)
        }
        let text = TestDaemon.logText(log)
        stop()
        throw DNSTestServerError("prometheus was not ready on 127.0.0.1:\(port): \(text)")
    }

    deinit { stop() }

    /// Stops it and removes its files.
    public func stop() {
        if pid > 0 { TestDaemon.end(pid) }
        pid = 0
        try? FileManager.default.removeItem(at: directory)
    }

    /// The answer of the API's instant query of `expression`: its `status` (success or
    /// error), its error text, and the results as (labels, value) pairs.
    public func query(_ expression: String) throws -> (status: String, error: String?, results: [([String: String], Double)]) {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        let answer = try httpGet(port: port, path: "/api/v1/query?query=\(encoded)")
        guard let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else {
            throw DNSTestServerError("not JSON: \(answer.body)")
        }
        let status = object["status"] as? String ?? "?"
        let error = object["error"] as? String
        var results: [([String: String], Double)] = []
        if let data = object["data"] as? [String: Any], let list = data["result"] as? [[String: Any]] {
            for item in list {
                let labels = item["metric"] as? [String: String] ?? [:]
                if let pair = item["value"] as? [Any], pair.count == 2, let text = pair[1] as? String, let value = Double(text) {
                    results.append((labels, value))
                }
            }
        } else if let data = object["data"] as? [String: Any], let pair = data["result"] as? [Any], pair.count == 2,
            let text = pair[1] as? String, let value = Double(text)
        {
            results.append(([:], value))  // a scalar
        }
        return (status, error, results)
    }

    /// The single value `expression` evaluates to (the sum of its series), nil when it has
    /// no series.
    public func value(_ expression: String) throws -> Double? {
        let results = try query(expression).results
        return results.isEmpty ? nil : results.reduce(0) { $0 + $1.1 }
    }

    /// Waits until `condition` holds of `expression`'s value (polled), up to `timeout` seconds;
    /// the last value.
    @discardableResult
    public func waitFor(_ expression: String, timeout: Double = 20, until condition: (Double?) -> Bool) throws -> Double? {
        let deadline = Date().addingTimeInterval(timeout)
        var last: Double?
        repeat {
            last = try value(expression)
            if condition(last) { return last }
            usleep(250_000)
        } while Date() < deadline
        return last
    }
}
