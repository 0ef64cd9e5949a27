import NIOCore

/// What one scraper may hold of the endpoint, so that a slow or hostile client cannot
/// stall it or grow the filter's memory: the connections open at once (the oldest is
/// closed for a new one), the bytes of one request, how long a connection may stay silent,
/// and how long it may live.
public struct MetricsEndpointLimits: Sendable {
    /// Connections open at once; a new one past it closes the oldest (64).
    public var maximumConnections = 64
    /// The bytes of one request, its line, headers and body together (16 KiB).
    public var maximumRequestBytes = 16 << 10
    /// How long a connection may send nothing, or take nothing of an answer (10 s).
    public var idleTimeout: TimeAmount = .seconds(10)
    /// How long a connection may stay open at all (60 s; Prometheus connects again).
    public var lifetime: TimeAmount = .seconds(60)

    /// The defaults.
    public init() {}
}
