import Synchronization

/// One metric per label set, made at first use and kept: a swift-metrics handle is made
/// through the factory's registry (a lock and a lookup by name and labels), so the engine
/// makes each once and finds it again by a small key.
final class LabelledMetrics<Key: Hashable & Sendable, Metric: AnyObject & Sendable>: Sendable {
    private let made = Mutex<[Key: Metric]>([:])
    private let make: @Sendable (Key) -> Metric

    /// Metrics made by `make` for each new key.
    init(_ make: @escaping @Sendable (Key) -> Metric) {
        self.make = make
    }

    /// The metric of `key`.
    subscript(_ key: Key) -> Metric {
        made.withLock { made in
            if let metric = made[key] { return metric }
            let metric = make(key)
            made[key] = metric
            return metric
        }
    }
}
