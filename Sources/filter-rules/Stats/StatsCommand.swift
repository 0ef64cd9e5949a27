import ArgumentParser
import CommandLineSupport
import FilterRules
import MetricsEndpoint

/// `filter-rules stats [ADDRESS:PORT]`: the metrics endpoint's numbers as a short table.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a running filter-rules's metrics: decisions per stage, top rules, DNS lists, the store, reloads.",
        discussion: """
            Reads http://ADDRESS:PORT/metrics (see serve --metrics and set metrics). Without \
            ADDRESS:PORT, the rules file's set metrics is used. The numbers count from the \
            filter's start.
            """
    )

    @Argument(help: ArgumentHelp("The metrics endpoint (PORT alone: on 127.0.0.1).", valueName: "address:port"))
    var address: String?

    @Option(name: .long, help: "The rules file whose set metrics names the endpoint, when no address is given.")
    var rules: String = defaultRulesPath

    @Option(name: .long, help: "How many of the rules with the most hits to list.")
    var top: Int = 10

    func validate() throws {
        if let address, MetricsListenAddress(address) == nil {
            throw ValidationError("bad address '\(address)', \(MetricsListenAddress.expectedAddress)")
        }
        if top < 0 { throw ValidationError("--top must not be negative") }
    }

    func run() throws {
        let endpoint: MetricsListenAddress
        if let address, let given = MetricsListenAddress(address) {
            endpoint = given
        } else {
            guard let configured = try CheckedRules.load(rules).options.metrics else {
                printToStandardError("\(rules) has no set metrics: give the endpoint as ADDRESS:PORT")
                throw ExitCode(1)
            }
            endpoint = configured
        }
        // A wildcard address is asked on the loopback.
        let host = endpoint.host == "0.0.0.0" ? "127.0.0.1" : endpoint.host == "::" ? "::1" : endpoint.host
        do {
            let text = try MetricsScrape.fetch(host: host, port: endpoint.port)
            print(StatsReport(samples: ExpositionSample.parse(text)).text(top: top))
        } catch {
            printToStandardError("filter-rules stats: \(error)")
            throw ExitCode(1)
        }
    }
}
