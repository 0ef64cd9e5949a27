import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The metrics endpoint: an HTTP/1.1 listener on one event-loop thread of its own
/// (swift-nio), answering `GET /metrics` from a ``MetricsRegistry``. Nothing it does
/// waits on, or is waited on by, the filter's protocol loop; its clients are bounded by
/// ``MetricsEndpointLimits``.
public final class MetricsHTTPServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let slots: ConnectionSlots
    /// The port it listens on (the one asked for, or the one the system chose for 0).
    public let port: Int

    /// Starts listening on `host`:`port`; throws when the address cannot be bound (in use,
    /// not this machine's, not permitted).
    public init(host: String, port: Int, registry: MetricsRegistry, limits: MetricsEndpointLimits = .init()) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let slots = ConnectionSlots(maximum: limits.maximumConnections)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let evicted = slots.admit(channel) { evicted.close(promise: nil) }
                    channel.closeFuture.whenComplete { _ in slots.remove(channel) }
                    let budget = RequestByteBudget(limit: limits.maximumRequestBytes)
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(RequestByteLimiter(budget: budget))
                    try operations.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout, writeTimeout: limits.idleTimeout))
                    try operations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try operations.addHandler(MetricsRequestHandler(registry: registry, budget: budget, lifetime: limits.lifetime))
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        self.slots = slots
        self.port = channel.localAddress?.port ?? port
    }

    /// Connections open now.
    public var openConnections: Int { slots.count }

    /// Stops listening and closes every connection.
    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}
