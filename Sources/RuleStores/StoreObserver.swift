/// Where a store's calls are counted (the metrics endpoint): each call's outcome by the
/// backend that answered it, and each limit found exceeded.
///
/// Called on the thread that made or completed the call: keep it cheap and thread-safe.
public protocol StoreObserver: Sendable {
    /// A call to `backend` ended with `outcome`.
    func storeCall(backend: StoreBackend, outcome: StoreCallOutcome)
    /// A `take` call found the limit `limit` exceeded.
    func limitExceeded(_ limit: String)
}

/// Where a store keeps its state.
public enum StoreBackend: String, Sendable, CaseIterable {
    /// The filter's memory (``MemoryStore``).
    case memory
    /// A Redis server.
    case redis
}

/// How a store call ended.
public enum StoreCallOutcome: String, Sendable, CaseIterable {
    /// Answered.
    case ok
    /// Not answered in time.
    case timeout
    /// Answered with an error or something that is not an answer, or the connection failed.
    case error
    /// Not asked: the store is full or its circuit breaker is open.
    case unavailable
}

extension StoreObserver {
    /// Counts the answer `answer` to `call` made of `backend`: nil is `failure`, and a
    /// `take` whose answer is true is an exceeded limit.
    public func observe(_ call: StoreCall, _ answer: StoreAnswer?, backend: StoreBackend, failure: StoreCallOutcome = .unavailable) {
        storeCall(backend: backend, outcome: answer == nil ? failure : .ok)
        if case .take(let limit, _, _, _) = call, answer == .flag(true) { limitExceeded(limit) }
    }
}
