import Logging
import RedisClient
import RuleStores

/// The rules' store in Redis (`set store redis://...`), shared by every filter-rules
/// process that names the same server and prefix (several MX hosts): limits, dynamic lists
/// and greylisting under `PREFIX:limit:NAME:KEY`, `PREFIX:list:NAME:KEY` and
/// `PREFIX:grey:TRIPLET`, each expiring by itself. A call that Redis does not answer in
/// time, or while it is down, is unknown (no match); see ``RedisClient``.
public final class RedisRuleStore: RemoteStore {
    private let client: RedisClient
    private let prefix: String
    /// Where each call's outcome is counted; nil for nowhere.
    private let observer: (any StoreObserver)?

    /// A store on `endpoint` (with `password`), its keys under `prefix`, its calls counted
    /// by `observer`.
    public init(
        endpoint: RedisEndpoint, password: String? = nil, prefix: String = "filter-rules", timeout: Duration = .milliseconds(250),
        observer: (any StoreObserver)? = nil, logger: Logger
    ) throws {
        client = try RedisClient(endpoint: endpoint, password: password, timeout: timeout, logger: logger)
        self.prefix = prefix
        self.observer = observer
    }

    /// `redis://HOST:PORT/DB`.
    public var description: String { client.endpoint.description }

    /// Answers `call` with a script or command on Redis; nil when Redis does not answer in
    /// time, fails, or answers what is not an answer. Each outcome is counted by the observer.
    public func answer(_ call: StoreCall, completion: @escaping @Sendable (StoreAnswer?) -> Void) {
        // Each outcome counted: a failed command by its failure, a reply that is not an
        // answer (a server that lies) as an error.
        let done: @Sendable (Result<RedisReply, RedisFailure>, StoreAnswer?) -> Void = { [observer] result, answer in
            if let observer {
                var failure = StoreCallOutcome.error
                if case .failure(let why) = result { failure = StoreCallOutcome(why) }
                observer.observe(call, answer, backend: .redis, failure: failure)
            }
            completion(answer)
        }
        switch call {
        case .take(let limit, let key, let cost, let rate):
            let arguments = [
                "EVAL", RedisScripts.take, "1", "\(prefix):limit:\(limit):\(StoreKey.bounded(key))", String(rate.interval),
                String(rate.burst), String(cost), rate.strict ? "1" : "0", String(rate.periodMilliseconds),
            ]
            client.send(arguments) { result in
                // Anything but the script's 0 or 1 is not an answer (a server that lies).
                guard case .success(.integer(let over)) = result, over == 0 || over == 1 else { return done(result, nil) }
                done(result, .flag(over == 1))
            }
        case .contains(let list, let key):
            client.send(["EXISTS", "\(prefix):list:\(list):\(StoreKey.bounded(key))"]) { result in
                guard case .success(.integer(let count)) = result else { return done(result, nil) }
                done(result, .flag(count > 0))
            }
        case .greylist(let key, let policy):
            let arguments = [
                "EVAL", RedisScripts.greylist, "1", "\(prefix):grey:\(StoreKey.bounded(key))", String(policy.delay),
                String(policy.window), String(policy.pass),
            ]
            client.send(arguments) { result in
                guard case .success(.array(let parts)) = result, parts.count == 2, let passed = parts[0].integer,
                    passed == 0 || passed == 1, let retry = parts[1].integer, retry >= 0
                else { return done(result, nil) }
                done(result, .greylist(passed == 1 ? .passed : .deferred(retryAfter: retry)))
            }
        }
    }

    /// Makes `write` on Redis, without waiting for it.
    public func apply(_ write: StoreWrite) {
        switch write {
        case .add(let list, let key, let ttl):
            client.send(["SET", "\(prefix):list:\(list):\(StoreKey.bounded(key))", "1", "PX", String(ttl)]) { _ in }
        case .remove(let list, let key):
            client.send(["DEL", "\(prefix):list:\(list):\(StoreKey.bounded(key))"]) { _ in }
        }
    }
}

extension StoreCallOutcome {
    /// The outcome of a command that failed with `failure`.
    init(_ failure: RedisFailure) {
        switch failure {
        case .timeout: self = .timeout
        case .unavailable, .shutDown: self = .unavailable
        case .disconnected, .protocolError: self = .error
        }
    }
}
