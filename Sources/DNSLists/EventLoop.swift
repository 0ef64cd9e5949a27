import CAres
import EventThreads

#if canImport(Glibc)
    import Glibc
#endif

/// The event thread of a ``DNSResolver``: takes lookups from the inbox, sends them through
/// c-ares (at most ``DNSResolver/Configuration/maximumInFlight`` at once), waits on
/// c-ares's sockets and the inbox with `poll`, and completes every lookup by its deadline.
///
/// Everything here runs on that one thread; `@unchecked Sendable` only because the thread
/// is handed the loop when it starts.
final class EventLoop: @unchecked Sendable {
    let configuration: DNSResolver.Configuration
    private let channel: ares_channel
    private let inbox: WakeInbox<Lookup>
    /// Lookups waiting to be sent, oldest first.
    private var waiting: [Lookup] = []
    private var waitingStart = 0
    /// Lookups sent and not yet answered by c-ares (a lookup completed at its deadline stays
    /// here until c-ares gives it up too: it still holds a query slot and a socket).
    private var inFlight: [ObjectIdentifier: Lookup] = [:]

    init(channel: ares_channel, configuration: DNSResolver.Configuration, inbox: WakeInbox<Lookup>) {
        self.channel = channel
        self.configuration = configuration
        self.inbox = inbox
    }

    /// Runs until the resolver stops; then fails whatever is left and frees c-ares.
    func run() {
        var stopping = false
        while !stopping {
            let taken = inbox.take()
            waiting += taken.items
            stopping = taken.stopping
            if stopping { break }
            send()
            wait()
            expire()
        }
        // ares_destroy calls every outstanding query's callback (ARES_EDESTRUCTION).
        ares_destroy(channel)
        for lookup in waiting[waitingStart...] { lookup.complete(.failed(.shutDown)) }
        waiting = []
        // The thread closes its own pipe: the resolver may be shut down from this thread
        // (its last reference dropped by a completion), which cannot wait for it.
        inbox.close()
    }

    /// Sends waiting lookups while there is room; fails those whose deadline passed first.
    private func send() {
        let now = ContinuousClock.now
        while waitingStart < waiting.count && inFlight.count < configuration.maximumInFlight {
            let lookup = waiting[waitingStart]
            waitingStart += 1
            if lookup.deadline <= now {
                lookup.complete(.failed(.timeout))
                continue
            }
            inFlight[ObjectIdentifier(lookup)] = lookup
            let context = Unmanaged.passRetained(QueryContext(loop: self, lookup: lookup)).toOpaque()
            let type: Int32 = lookup.type == .a ? 1 : 16
            ares_query(
                channel, lookup.name, 1, type,
                { context, status, _, buffer, length in
                    let query = Unmanaged<QueryContext>.fromOpaque(context!).takeRetainedValue()
                    query.loop.answered(query.lookup, status: status, buffer: buffer, length: length)
                }, context)
        }
        if waitingStart == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingStart = 0
        } else if waitingStart > 1024 && waitingStart * 2 > waiting.count {
            waiting.removeFirst(waitingStart)
            waitingStart = 0
        }
    }

    /// c-ares is done with `lookup` (called from within ares_process_fd or ares_destroy).
    private func answered(_ lookup: Lookup, status: Int32, buffer: UnsafeMutablePointer<UInt8>?, length: Int32) {
        inFlight[ObjectIdentifier(lookup)] = nil
        guard !lookup.isCompleted else { return }
        let bytes = UnsafeBufferPointer(start: buffer, count: buffer == nil ? 0 : Int(max(0, length)))
        lookup.complete(AresAnswer.read(status: status, type: lookup.type, message: bytes))
    }

    /// Waits for c-ares's sockets, the inbox, c-ares's next timeout or the nearest deadline.
    private func wait() {
        var sockets = [ares_socket_t](repeating: ARES_SOCKET_BAD, count: Int(ARES_GETSOCK_MAXNUM))
        let bits = ares_getsock(channel, &sockets, ARES_GETSOCK_MAXNUM)
        var entries = [pollfd(fd: inbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        for index in 0..<Int(ARES_GETSOCK_MAXNUM) {
            let readable = bits & (1 << index) != 0, writable = bits & (1 << (index + Int(ARES_GETSOCK_MAXNUM))) != 0
            guard readable || writable else { continue }
            entries.append(
                pollfd(fd: sockets[index], events: Int16(readable ? POLLIN : 0) | Int16(writable ? POLLOUT : 0), revents: 0))
        }
        var milliseconds = Int32(-1)
        var maximum = timeval(tv_sec: 3600, tv_usec: 0), next = timeval()
        if !inFlight.isEmpty, let due = ares_timeout(channel, &maximum, &next) {
            milliseconds = Int32(due.pointee.tv_sec * 1000 + (due.pointee.tv_usec + 999) / 1000)
        }
        if let nearest = nearestDeadline() {
            let left = ContinuousClock.now.duration(to: nearest)
            let leftMilliseconds = max(0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000) + 1)
            milliseconds = milliseconds < 0 ? leftMilliseconds : min(milliseconds, leftMilliseconds)
        }
        let ready = poll(&entries, nfds_t(entries.count), milliseconds)
        guard ready >= 0 else { return }  // EINTR: the loop comes round again
        var processed = false
        for entry in entries.dropFirst() where entry.revents != 0 {
            let readable = entry.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
            let writable = entry.revents & Int16(POLLOUT) != 0
            ares_process_fd(channel, readable ? entry.fd : ARES_SOCKET_BAD, writable ? entry.fd : ARES_SOCKET_BAD)
            processed = true
        }
        // Nothing to read: c-ares still needs a call to resend or give up on timed-out queries.
        if !processed { ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD) }
    }

    /// The earliest deadline of a lookup not completed yet.
    private func nearestDeadline() -> ContinuousClock.Instant? {
        var nearest: ContinuousClock.Instant?
        for lookup in inFlight.values where !lookup.isCompleted {
            if nearest == nil || lookup.deadline < nearest! { nearest = lookup.deadline }
        }
        if waitingStart < waiting.count {
            let oldest = waiting[waitingStart].deadline
            if nearest == nil || oldest < nearest! { nearest = oldest }
        }
        return nearest
    }

    /// Completes the lookups whose deadline passed with ``DNSFailure/timeout``.
    private func expire() {
        let now = ContinuousClock.now
        for lookup in inFlight.values where lookup.deadline <= now { lookup.complete(.failed(.timeout)) }
        for lookup in waiting[waitingStart...] where lookup.deadline <= now { lookup.complete(.failed(.timeout)) }
    }

    /// What a query's callback gets back.
    private final class QueryContext {
        let loop: EventLoop
        let lookup: Lookup
        init(loop: EventLoop, lookup: Lookup) {
            self.loop = loop
            self.lookup = lookup
        }
    }
}
