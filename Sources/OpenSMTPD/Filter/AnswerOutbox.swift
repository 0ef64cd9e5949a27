import Synchronization
import COpenSMTPDShims
#if canImport(Glibc)
    import Glibc
#endif

/// Carries answers from sessions (any thread) to the event loop, waking the loop through a
/// pipe when an answer comes from another thread.
final class AnswerOutbox: Sendable {
    private let answers = Mutex<[Answer]>([])
    private let wakeReadFD: Int32
    private let wakeWriteFD: Int32
    private let loopThread = Mutex<pthread_t?>(nil)

    init() throws(TransportError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .system("pipe", errno) }
        wakeReadFD = fds[0]
        wakeWriteFD = fds[1]
        for fd in fds {
            _ = copensmtpd_set_nonblocking(fd, 1)
            _ = copensmtpd_set_cloexec(fd)
        }
    }

    deinit {
        close(wakeReadFD)
        close(wakeWriteFD)
    }

    /// The descriptor the loop polls for wake-ups.
    var pollDescriptor: Int32 { wakeReadFD }

    /// Marks the calling thread as the loop's: answers posted from it need no wake-up.
    func adoptCurrentThreadAsLoop() {
        loopThread.withLock { $0 = pthread_self() }
    }

    /// Queues an answer and wakes the loop when called from another thread.
    func post(_ answer: Answer) {
        let wasEmpty = answers.withLock { list in
            list.append(answer)
            return list.count == 1
        }
        let onLoop = loopThread.withLock { thread in thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
        if wasEmpty && !onLoop {
            var byte: UInt8 = 1
            _ = write(wakeWriteFD, &byte, 1)
        }
    }

    /// Takes every queued answer, in order, and clears pending wake-ups.
    func drain() -> [Answer] {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(wakeReadFD, &scratch, scratch.count) > 0 {}
        return answers.withLock { list in
            defer { list.removeAll(keepingCapacity: true) }
            return list
        }
    }
}
