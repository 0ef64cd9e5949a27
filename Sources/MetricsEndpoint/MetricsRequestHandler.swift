import NIOCore
import NIOHTTP1

/// Answers the requests of one connection: `GET /metrics` (or `HEAD`) with the registry's
/// exposition in the format the `Accept` header asks for, `405` for another method on it,
/// `404` for any other path. Closes the connection when it has been silent, or has not
/// taken an answer, for the idle timeout (an `IdleStateHandler` before it tells), and when
/// it has lived its lifetime.
final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: MetricsRegistry
    private let budget: RequestByteBudget
    private let lifetime: TimeAmount
    private var head: HTTPRequestHead?
    private var lifetimeEnd: Scheduled<Void>?

    /// A handler answering from `registry`, starting `budget` afresh after each answer,
    /// closing its connection after `lifetime`.
    init(registry: MetricsRegistry, budget: RequestByteBudget, lifetime: TimeAmount) {
        self.registry = registry
        self.budget = budget
        self.lifetime = lifetime
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        lifetimeEnd = context.eventLoop.scheduleTask(in: lifetime) { channel.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        lifetimeEnd?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break  // a GET has none worth reading; the byte budget bounds it
        case .end:
            guard let head else { return }
            self.head = nil
            budget.used = 0
            respond(context, to: head)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func respond(_ context: ChannelHandlerContext, to head: HTTPRequestHead) {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var headers = HTTPHeaders()
        let status: HTTPResponseStatus
        var body: [UInt8]
        if path != "/metrics" {
            status = .notFound
            body = Array("Not found: the metrics are at /metrics\n".utf8)
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        } else if head.method != .GET && head.method != .HEAD {
            status = .methodNotAllowed
            body = Array("Only GET and HEAD are answered\n".utf8)
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
            headers.add(name: "Allow", value: "GET, HEAD")
        } else {
            let format = ExpositionFormat(accept: head.headers.first(name: "Accept"))
            status = .ok
            body = registry.exposition(format)
            headers.add(name: "Content-Type", value: format.contentType)
        }
        headers.add(name: "Content-Length", value: String(body.count))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        if head.method == .HEAD { body = [] }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
