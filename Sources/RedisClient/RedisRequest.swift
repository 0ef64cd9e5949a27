import Synchronization

/// One command on its way: its RESP bytes, its deadline, and whom to tell. Completed once:
/// the first of the reply, the deadline, a failure or the shutdown wins.
final class RedisRequest: Sendable {
    let bytes: [UInt8]
    let deadline: ContinuousClock.Instant
    private let completion: Mutex<(@Sendable (Result<RedisReply, RedisFailure>) -> Void)?>

    init(bytes: [UInt8], deadline: ContinuousClock.Instant, completion: @escaping @Sendable (Result<RedisReply, RedisFailure>) -> Void) {
        self.bytes = bytes
        self.deadline = deadline
        self.completion = Mutex(completion)
    }

    /// Whether it was completed.
    var isCompleted: Bool { completion.withLock { $0 == nil } }

    /// Completes it, unless it was already; true when this call did.
    @discardableResult
    func complete(_ result: Result<RedisReply, RedisFailure>) -> Bool {
        let handler = completion.withLock { handler in
            defer { handler = nil }
            return handler
        }
        handler?(result)
        return handler != nil
    }
}
