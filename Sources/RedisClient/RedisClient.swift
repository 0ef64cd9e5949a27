import RuleStores
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A connection to a Redis server for the store, driven by one event thread of its own
/// (``RedisEventLoop``): commands are pipelined on one connection, each completed by its
/// deadline (250 ms by default) whatever the server does, and no caller's thread waits.
public final class RedisClient: Sendable {
    private let inbox: RedisInbox
    private let timeout: Duration
    private let thread: Mutex<pthread_t?>
    /// The server.
    public let endpoint: RedisEndpoint

    /// A client of `endpoint` (AUTH with `password` when given), each command failing with
    /// ``RedisFailure/timeout`` after `timeout`; problems are logged to `logger`, at most
    /// once a minute.
    public init(endpoint: RedisEndpoint, password: String? = nil, timeout: Duration = .milliseconds(250), logger: Logger) throws {
        self.endpoint = endpoint
        self.timeout = timeout
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw RedisFailure.disconnected("pipe: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        inbox = RedisInbox(wakeDescriptor: ends[0], wakeWriter: ends[1])
        let loop = RedisEventLoop(endpoint: endpoint, password: password, inbox: inbox, logger: logger)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(loop).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { context in
                let loop = Unmanaged<RedisEventLoop>.fromOpaque(context!).takeRetainedValue()
                loop.run()
                return nil
            }, context)
        guard result == 0 else {
            Unmanaged<RedisEventLoop>.fromOpaque(context).release()
            inbox.close()
            throw RedisFailure.disconnected("cannot start the Redis thread: \(String(cString: strerror(result)))")
        }
        self.thread = Mutex(thread)
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
        guard
            let running = thread.withLock({ thread in
                defer { thread = nil }; return thread
            })
        else { return }
        inbox.stop()
        if pthread_equal(running, pthread_self()) != 0 {
            pthread_detach(running)
            return
        }
        pthread_join(running, nil)
    }
}
