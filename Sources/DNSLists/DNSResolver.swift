import CAres
import EventThreads
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Asynchronous DNS lookups on c-ares: one event thread for every lookup, however many are
/// under way, and a completion called for each, always exactly once.
///
/// A lookup never blocks its caller: ``lookup(_:_:completion:)`` queues it and returns. The
/// event thread sends at most ``Configuration/maximumInFlight`` queries at once (the rest
/// wait in order, none is dropped) and completes each lookup by its deadline,
/// ``Configuration/timeout`` after it was asked for, whatever the server does: an answer,
/// NXDOMAIN, SERVFAIL, garbage, or nothing at all. Completions run on the event thread, so
/// they must be quick (hand the answer on; do not wait there).
///
/// c-ares's channel is not safe to share between threads (version 1.18, Debian 12), so only
/// the event thread touches it; callers reach it through a locked queue and a pipe that wakes it.
public final class DNSResolver: Sendable {
    /// How the resolver asks.
    public struct Configuration: Sendable {
        /// The servers to ask; empty for /etc/resolv.conf's.
        public var servers: [DNSServerAddress] = []
        /// How long a lookup may take in all, from the call to its completion (tries included).
        public var timeout: Duration = .seconds(2)
        /// How many times a query is sent to each server before the lookup fails.
        public var tries = 2
        /// Queries sent and not yet answered, at most; later lookups wait their turn.
        public var maximumInFlight = 256

        /// The defaults: /etc/resolv.conf, 2 s, 2 tries, 256 in flight.
        public init() {}
    }

    private let inbox: WakeInbox<Lookup>
    private let loop: EventLoop
    private let thread: EventThread

    /// A resolver asking as `configuration` says; its event thread starts now.
    ///
    /// - Throws: ``DNSResolverError`` when c-ares cannot be set up (no resolv.conf servers
    ///   and none given, a server it refuses, no memory) or the thread cannot start.
    public init(_ configuration: Configuration = Configuration()) throws(DNSResolverError) {
        DNSResolver.libraryReady.withLock { ready in
            if !ready { ready = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS }
        }
        var options = ares_options()
        // c-ares doubles a try's time on each round: t + 2t + … adds up to the whole timeout.
        let tries = max(1, min(configuration.tries, 5))
        let milliseconds = configuration.timeout.components.seconds * 1000 + configuration.timeout.components.attoseconds / 1_000_000_000_000_000
        options.timeout = Int32(max(50, milliseconds / Int64((1 << tries) - 1)))
        options.tries = Int32(tries)
        var channel: ares_channel?
        // SERVFAIL and REFUSED come back as they are (c-ares would otherwise try again and
        // report "could not contact DNS servers"): a list's failure is told apart from a
        // resolver that cannot be reached.
        options.flags = ARES_FLAG_NOCHECKRESP
        var status = ares_init_options(&channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS)
        guard status == ARES_SUCCESS, let channel else { throw .setup(Self.text(status)) }
        if !configuration.servers.isEmpty {
            status = ares_set_servers_ports_csv(channel, configuration.servers.map(\.description).joined(separator: ","))
            guard status == ARES_SUCCESS else {
                ares_destroy(channel)
                throw .setup("servers \(configuration.servers.map(\.description)): \(Self.text(status))")
            }
        }
        do {
            inbox = try WakeInbox()
        } catch {
            ares_destroy(channel)
            throw .setup(error.reason)
        }
        let loop = EventLoop(channel: channel, configuration: configuration, inbox: inbox)
        self.loop = loop
        do {
            thread = try EventThread { loop.run() }
        } catch {
            ares_destroy(channel)
            inbox.close()
            throw .setup("cannot start the resolver thread: \(error.reason)")
        }
    }

    deinit { shutdown() }

    /// Looks `name` up for records of `type`; `completion` gets the answer on the event
    /// thread, once, by the configured timeout at the latest.
    public func lookup(_ name: String, _ type: DNSRecordType, completion: @escaping @Sendable (DNSAnswer) -> Void) {
        let lookup = Lookup(name: name, type: type, deadline: .now + loop.configuration.timeout, completion: completion)
        guard inbox.add(lookup) else { return completion(.failed(.shutDown)) }
    }

    /// Stops the event thread: lookups under way or waiting complete with
    /// ``DNSFailure/shutDown``, later ones at once. Safe to call more than once, and from a
    /// completion (the last reference can go there: the thread then ends by itself).
    public func shutdown() {
        thread.stop(telling: inbox.stop)
    }

    // MARK: The event thread

    private static let libraryReady = Mutex(false)

    static func text(_ status: Int32) -> String { String(cString: ares_strerror(status)) }
}

/// Why a ``DNSResolver`` could not be made.
public enum DNSResolverError: Error, Hashable, Sendable, CustomStringConvertible {
    /// c-ares or the event thread could not be set up; the text says why.
    case setup(String)

    /// The error in a sentence.
    public var description: String {
        switch self {
        case .setup(let why): return "cannot set up the DNS resolver: \(why)"
        }
    }
}
