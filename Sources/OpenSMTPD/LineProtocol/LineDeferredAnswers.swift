import COpenSMTPDShims
import Synchronization
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A promise to answer one filter request later, from any thread: see
/// ``LineFilter/deferAnswer()``.
public struct LineDeferredAnswer: Sendable {
    /// The session the request belongs to.
    public let session: UInt64
    let token: UInt64
    let version: LineProtocolVersion
    let outbox: LineDeferredAnswers
    let once = AnswerOnce()

    /// Sends `result` as the answer to the request, from any thread. Only the first call
    /// of this promise sends (smtpd takes exactly one answer per request); later ones are
    /// ignored. The loop writes it as soon as it wakes, or drops it if the session has
    /// ended meanwhile.
    public func send(_ result: LineFilterResult) {
        guard once.claim() else { return }
        outbox.post(session: session, .answer(LineFilter.result(result, session: session, token: token, version: version)))
    }
}

/// The first-call-wins flag of one ``LineDeferredAnswer``, shared by its copies.
final class AnswerOnce: Sendable {
    private let sent = Atomic<Bool>(false)

    /// True for the first caller only.
    func claim() -> Bool {
        !sent.exchange(true, ordering: .acquiringAndReleasing)
    }
}

/// What is given off the loop for a session: an answer's bytes, or the release of its held
/// message (the loop writes the message).
enum LateOutput: Sendable {
    /// A `filter-result` line to write.
    case answer([UInt8])
    /// The verdict on held message `serial`: write these lines, then the message.
    case release(serial: UInt64, prepending: [DataLine])
}

/// Answers given off the loop, waiting to be written: a queue guarded by a mutex, and a
/// pipe whose read end the channel polls beside the daemon's input, so a waiting loop
/// wakes up for them.
final class LineDeferredAnswers: Sendable {
    private struct Queue {
        var answers: [(session: UInt64, output: LateOutput)] = []
        var signalled = false
    }

    private let queue = Mutex(Queue())
    private let pending = Atomic<Int>(0)
    /// The pipe's read end, readable while answers wait.
    let wakeDescriptor: Int32
    private let wakeWriter: Int32

    init() throws(LineProtocolError) {
        var ends: [Int32] = [-1, -1]
        guard copensmtpd_pipe(&ends) == 0 else { throw .channel(operation: "pipe", errno: errno) }
        _ = copensmtpd_set_nonblocking(ends[0], 1)
        _ = copensmtpd_set_nonblocking(ends[1], 1)
        wakeDescriptor = ends[0]
        wakeWriter = ends[1]
    }

    deinit {
        close(wakeDescriptor)
        close(wakeWriter)
    }

    /// Whether answers wait (a cheap check for the loop between lines).
    var hasAnswers: Bool { pending.load(ordering: .acquiring) > 0 }

    /// Queues an answer (or a release) and wakes the loop.
    func post(session: UInt64, _ output: LateOutput) {
        let wake: Bool = queue.withLock { queue in
            queue.answers.append((session, output))
            pending.add(1, ordering: .releasing)
            defer { queue.signalled = true }
            return !queue.signalled
        }
        if wake {
            var byte: UInt8 = 1
            _ = write(wakeWriter, &byte, 1)
        }
    }

    /// Takes every waiting answer, in the order they were given.
    func take() -> [(session: UInt64, output: LateOutput)] {
        queue.withLock { queue in
            // Empty the pipe first, under the lock: a post after this finds `signalled`
            // false and writes a new byte, so a waiting loop always wakes for it.
            var sink = [UInt8](repeating: 0, count: 64)
            while read(wakeDescriptor, &sink, sink.count) > 0 {}
            defer {
                queue.answers.removeAll()
                queue.signalled = false
            }
            pending.store(0, ordering: .releasing)
            return queue.answers
        }
    }
}
