import Synchronization

/// One lookup asked of a ``DNSResolver``: what to look up, by when, and who gets the answer.
/// Completed once: the first of the answer and the deadline wins, the other is dropped.
final class Lookup: Sendable {
    let name: String
    let type: DNSRecordType
    /// When the lookup fails with ``DNSFailure/timeout`` if no answer came first.
    let deadline: ContinuousClock.Instant
    private let completion: Mutex<(@Sendable (DNSAnswer) -> Void)?>

    init(name: String, type: DNSRecordType, deadline: ContinuousClock.Instant, completion: @escaping @Sendable (DNSAnswer) -> Void) {
        self.name = name
        self.type = type
        self.deadline = deadline
        self.completion = Mutex(completion)
    }

    /// Whether the lookup was completed.
    var isCompleted: Bool { completion.withLock { $0 == nil } }

    /// Gives `answer` to the completion unless it was given one already.
    func complete(_ answer: DNSAnswer) {
        guard
            let call = completion.withLock({ completion in
                defer { completion = nil }; return completion
            })
        else { return }
        call(answer)
    }
}
