import CoreMetrics
import Prometheus
import Synchronization

/// The metrics a filter exposes: a Prometheus registry, the swift-metrics factory that
/// makes metrics in it, and what is copied into it before each scrape.
public final class MetricsRegistry: Sendable {
    /// The registry the exposition is emitted from.
    public let prometheus: PrometheusCollectorRegistry
    /// Makes swift-metrics handles in ``prometheus`` (durations as histograms with the
    /// buckets given at creation).
    public let factory: any MetricsFactory
    private let refreshers = Mutex<[@Sendable () -> Void]>([])

    /// A new registry; `durationBuckets` are the buckets of named duration histograms.
    public init(durationBuckets: [String: [Duration]] = [:]) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = durationBuckets
        prometheus = registry
        self.factory = factory
    }

    /// Has `refresh` run before each exposition (to copy numbers kept elsewhere).
    public func beforeEachScrape(_ refresh: @escaping @Sendable () -> Void) {
        refreshers.withLock { $0.append(refresh) }
    }

    /// The metrics now, in `format`.
    public func exposition(_ format: ExpositionFormat) -> [UInt8] {
        for refresh in refreshers.withLock({ $0 }) { refresh() }
        var text: [UInt8] = []
        prometheus.emit(into: &text)
        return format == .openMetrics ? ExpositionFormat.openMetrics(fromPrometheusText: text) : text
    }
}
