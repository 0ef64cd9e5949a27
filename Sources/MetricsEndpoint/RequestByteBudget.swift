import NIOCore

/// The bytes a connection's current request has sent, shared by the handler that counts
/// them (first in the pipeline) and the one that answers (which starts the next request's
/// count). Bound to the connection's event loop.
final class RequestByteBudget {
    /// The most bytes one request may send.
    let limit: Int
    /// Bytes received since the last request was answered.
    var used = 0

    /// A budget of `limit` bytes per request.
    init(limit: Int) {
        self.limit = limit
    }
}

/// Closes a connection whose request goes past its byte budget, before the HTTP decoder
/// sees the bytes: a request line of a megabyte costs the endpoint at most the budget.
final class RequestByteLimiter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let budget: RequestByteBudget

    /// A limiter counting against `budget`.
    init(budget: RequestByteBudget) {
        self.budget = budget
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        budget.used += unwrapInboundIn(data).readableBytes
        guard budget.used <= budget.limit else {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
