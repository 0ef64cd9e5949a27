import CommandLineSupport
import FilterRules
import FilterRulesEngine
import Logging
import MetricsEndpoint

extension ServeCommand {
    /// Where the metrics endpoint listens: `--metrics`, else the file's `set metrics`; nil
    /// for none.
    func metricsAddress(_ options: RuleOptions) -> MetricsListenAddress? {
        guard let metrics else { return options.metrics }
        return metrics == "off" ? nil : MetricsListenAddress(metrics)
    }
}

/// The metrics of a filter that serves them: the engine's metrics in a Prometheus
/// registry, and where the endpoint listens.
struct MetricsSetup {
    /// Where the endpoint listens.
    let address: MetricsListenAddress
    /// The registry the endpoint answers from.
    let registry: MetricsRegistry
    /// The engine's metrics, made in ``registry``.
    let metrics: EngineMetrics

    /// The setup for `address`; nil for no address.
    init?(address: MetricsListenAddress?) {
        guard let address else { return nil }
        self.address = address
        registry = MetricsRegistry(durationBuckets: MetricNames.durationBuckets)
        metrics = EngineMetrics(factory: registry.factory, version: filterRulesVersion)
    }

    /// Copies the rule set in force into the metrics before each scrape and starts the
    /// listener; nil, with one error logged, when it cannot listen (a port in use).
    func start(store: RuleSetStore, logger: Logger) -> MetricsHTTPServer? {
        let metrics = self.metrics
        registry.beforeEachScrape { metrics.refresh(from: store.ruleSet) }
        do {
            let server = try MetricsHTTPServer(host: address.host, port: address.port, registry: registry)
            logger.info("metrics at http://\(address)/metrics")
            return server
        } catch {
            logger.error("metrics endpoint \(address) cannot listen (\(error)); serving without it")
            return nil
        }
    }
}
