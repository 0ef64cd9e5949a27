import RuleStores
import EventThreads
import Logging

/// A connection to a Redis server for the store, driven by one event thread of its own
/// (``RedisEventLoop``): commands are pipelined on one connection, each completed by its
/// deadline (250 ms by default) whatever the server does, and no caller's thread waits.
public final class RedisClient: Sendable {
    private let inbox: WakeInbox<RedisRequest>
    private let timeout: Duration
    private let thread: EventThread
    /// The server.
    public let endpoint: RedisEndpoint

    /// A client of `endpoint` (AUTH with `password` when given), each command failing with
    /// ``RedisFailure/timeout`` after `timeout`; problems are logged to `logger`, at most
    /// once a minute.
    public init(endpoint: RedisEndpoint, password: String? = nil, timeout: Duration = .milliseconds(250), logger: Logger) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        let inbox: WakeInbox<RedisRequest>
        do {
            inbox = try WakeInbox()
        } catch {
            throw RedisFailure.disconnected(error.reason)
        }
        self.inbox = inbox
        let loop = RedisEventLoop(endpoint: endpoint, password: password, inbox: inbox, logger: logger)
        do {
            thread = try EventThread { loop.run() }
        } catch {
            inbox.close()
            throw RedisFailure.disconnected("cannot start the Redis thread: \(error.reason)")
        }
    }

    deinit { shutdown() }

    /// Sends the command `arguments`; `completion` gets the reply or the failure once, on the
    /// event thread, by the timeout at the latest (a reply of type error is a reply).
    public func send(_ arguments: [String], completion: @escaping @Sendable (Result<RedisReply, RedisFailure>) -> Void) {
        let request = RedisRequest(bytes: RedisCommand.format(arguments), deadline: .now + timeout, completion: completion)
        guard inbox.add(request) else { return completion(.failure(.shutDown)) }
    }

    /// Stops the event thread: commands under way or waiting fail with
    /// ``RedisFailure/shutDown``, later ones at once. Safe to call more than once, and from a
    /// completion.
    public func shutdown() {
        thread.stop(telling: inbox.stop)
    }
}
