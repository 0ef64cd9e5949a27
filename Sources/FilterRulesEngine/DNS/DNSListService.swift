import DNSLists
import FilterRules
import Logging
import Synchronization

/// Where sessions look their inputs up in the rules' DNS lists: one ``DNSListLookups`` (and
/// so one cache and one resolver thread) for every session, made when a rule set first
/// needs it, and made again when a reload changes `set resolver`.
///
/// A resolver that cannot be set up (no servers in /etc/resolv.conf and no `set resolver`)
/// is logged once; lookups are then unknown, which no `listed` term takes as a listing.
public final class DNSListService: Sendable {
    private struct State {
        var servers: [DNSServerAddress]?
        var lookups: DNSListLookups?
        var failedServers: [DNSServerAddress]?
    }

    private let state = Mutex(State())
    private let logger: Logger
    /// Makes the lookup service for the servers of `set resolver` (the live resolver, or a
    /// test's or dry-run's answers).
    private let makeService: @Sendable ([DNSServerAddress]) throws -> any DNSLookupService
    private let policy: DNSListLookups.Policy

    /// Lookups through c-ares (``DNSResolver``), asking `set resolver`'s servers or
    /// /etc/resolv.conf's.
    public convenience init(logger: Logger, policy: DNSListLookups.Policy = .init()) {
        self.init(logger: logger, policy: policy) { servers in
            var configuration = DNSResolver.Configuration()
            configuration.servers = servers
            return try DNSResolver(configuration)
        }
    }

    /// Lookups through the service `make` returns for the rules' servers.
    public init(
        logger: Logger, policy: DNSListLookups.Policy = .init(),
        make: @escaping @Sendable ([DNSServerAddress]) throws -> any DNSLookupService
    ) {
        self.logger = logger
        self.policy = policy
        self.makeService = make
    }

    /// Lookups for `ruleSet`, nil when it declares no DNS list or no resolver can be made.
    public func lookups(for ruleSet: CompiledRuleSet) -> DNSListLookups? {
        guard !ruleSet.options.dnsLists.isEmpty else { return nil }
        let servers = ruleSet.options.resolver
        return state.withLock { state in
            if state.servers == servers, let lookups = state.lookups { return lookups }
            if state.failedServers == servers { return nil }
            do {
                let service = try makeService(servers)
                state.lookups = DNSListLookups(service: service, policy: policy, logger: logger)
                state.servers = servers
                state.failedServers = nil
                return state.lookups
            } catch {
                logger.error("DNS lists cannot be looked up: \(error); no 'listed' term can match (set resolver ADDRESS to name a DNS server)")
                state.failedServers = servers
                return nil
            }
        }
    }
}
