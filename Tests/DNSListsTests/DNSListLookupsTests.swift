import DNSLists
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport

/// A lookup service whose answers a test sets and releases, counting the queries.
final class ControlledService: DNSLookupService, Sendable {
    private let state = Mutex<(answers: [String: DNSAnswer], held: [(String, @Sendable (DNSAnswer) -> Void)], queries: [String], holding: Bool)>(
        ([:], [], [], false))

    func set(_ name: String, _ type: DNSRecordType, _ answer: DNSAnswer) { state.withLock { $0.answers["\(type) \(name)"] = answer } }
    func hold(_ holding: Bool) { state.withLock { $0.holding = holding } }
    var queries: [String] { state.withLock { $0.queries } }

    func lookup(_ name: String, _ type: DNSRecordType, completion: @escaping @Sendable (DNSAnswer) -> Void) {
        let key = "\(type) \(name)"
        let now: DNSAnswer? = state.withLock { state in
            state.queries.append(key)
            if state.holding {
                state.held.append((key, completion))
                return nil
            }
            return state.answers[key] ?? .notFound(ttl: nil)
        }
        if let now { completion(now) }
    }

    /// Answers the held lookups of `key` (`A name`) only.
    func release(_ key: String) {
        let held = state.withLock { state in
            let matching = state.held.filter { $0.0 == key }
            state.held.removeAll { $0.0 == key }
            return matching
        }
        for (key, completion) in held { completion(state.withLock { $0.answers[key] } ?? .notFound(ttl: nil)) }
    }

    /// Answers the held lookups.
    func release() {
        let held = state.withLock { state in
            defer { state.held = [] }; return state.held
        }
        for (key, completion) in held { completion(state.withLock { $0.answers[key] } ?? .notFound(ttl: nil)) }
    }
}

/// A clock a test moves.
final class ManualClock: Sendable {
    private let offset = Mutex(Duration.zero)
    private let start = ContinuousClock.now
    func advance(_ by: Duration) { offset.withLock { $0 += by } }
    var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
}

/// Results of `check`, waited for.
final class Results: Sendable {
    private let state = Mutex<[DNSListResult]>([])
    func add(_ result: DNSListResult) { state.withLock { $0.append(result) } }
    var all: [DNSListResult] { state.withLock { $0 } }
}

@Suite("DNS lists: lookups, cache, coalescing, suspension")
struct DNSListLookupsTests {
    let zen = DNSList(name: "zen", zone: "zen.test", codes: try! DNSListCodes(parsing: ["127.0.0.2-127.0.0.11"]))

    func check(_ lookups: DNSListLookups, _ list: DNSList, _ subject: DNSListSubject, wantsText: Bool = false) -> DNSListResult? {
        let results = Results()
        lookups.check(list, subject, wantsText: wantsText) { results.add($0) }
        return results.all.first
    }

    @Test("listed within the codes (with the TXT when wanted), outside them not; cached for the TTL")
    func listedAndCached() throws {
        let service = ControlledService(), clock = ManualClock()
        service.set("2.0.0.127.zen.test", .a, .records(addresses: [0x7f00_0002, 0x7f00_0064], texts: [], ttl: 60))
        service.set("2.0.0.127.zen.test", .txt, .records(addresses: [], texts: ["see https://check.example"], ttl: 60))
        service.set("3.0.0.127.zen.test", .a, .records(addresses: [0x7f00_0064], texts: [], ttl: 60))
        let lookups = DNSListLookups(service: service, logger: .quiet, now: { clock.now })
        #expect(check(lookups, zen, .address("127.0.0.2"), wantsText: true) == .listed(codes: [0x7f00_0002], text: "see https://check.example"))
        #expect(check(lookups, zen, .address("127.0.0.3")) == .notListed)
        #expect(check(lookups, zen, .address("127.0.0.9")) == .notListed)
        // First the check that the list does not answer every name (once per kind of subject).
        #expect(
            service.queries == [
                "A 255.255.255.255.zen.test", "A 2.0.0.127.zen.test", "TXT 2.0.0.127.zen.test", "A 3.0.0.127.zen.test", "A 9.0.0.127.zen.test",
            ])
        // Within the TTL: from the cache, known without waiting.
        #expect(lookups.knownResult(zen, .address("127.0.0.2"), wantsText: true) == .listed(codes: [0x7f00_0002], text: "see https://check.example"))
        #expect(check(lookups, zen, .address("127.0.0.3")) == .notListed)
        #expect(service.queries.count == 5)
        // After it: asked again; the negative answer without SOA is kept 300 s.
        clock.advance(.seconds(61))
        #expect(lookups.knownResult(zen, .address("127.0.0.2"), wantsText: false) == nil)
        #expect(lookups.knownResult(zen, .address("127.0.0.9"), wantsText: false) == .notListed)
        clock.advance(.seconds(240))
        #expect(lookups.knownResult(zen, .address("127.0.0.9"), wantsText: false) == nil)
    }

    @Test("a name asked for by many sessions at once is looked up once")
    func coalesced() throws {
        let service = ControlledService()
        service.set("2.0.0.127.zen.test", .a, .records(addresses: [0x7f00_0002], texts: [], ttl: 60))
        service.hold(true)
        let lookups = DNSListLookups(service: service, logger: .quiet)
        let results = Results()
        for _ in 0..<100 { lookups.check(zen, .address("127.0.0.2"), wantsText: false) { results.add($0) } }
        // One query for the name, and the list's every-name check.
        #expect(results.all.isEmpty && service.queries.filter { $0 == "A 2.0.0.127.zen.test" }.count == 1)
        #expect(service.queries.count == 2)
        service.release()
        #expect(results.all.count == 100 && results.all.allSatisfy { $0 == .listed(codes: [0x7f00_0002], text: nil) })
    }

    @Test("what is not an address or domain is not looked up")
    func notLookedUp() {
        let service = ControlledService()
        let lookups = DNSListLookups(service: service, logger: .quiet)
        #expect(check(lookups, zen, .address("unix:/run/socket")) == .notLookedUp)
        #expect(check(lookups, zen, .domain("[192.0.2.1]")) == .notLookedUp)
        #expect(check(lookups, zen, .domain("")) == .notLookedUp)
        #expect(service.queries.isEmpty)
    }

    @Test("a list that answers every name: its lookups are unknown (logged once an hour) until a later check finds it sane")
    func answersEveryName() throws {
        let service = ControlledService(), clock = ManualClock(), logs = LogRecorder()
        let dbl = DNSList(name: "dbl", zone: "dbl.test", codes: try DNSListCodes(parsing: ["127.0.1.0/24"]))
        for name in ["255.255.255.255.zen.test", "2.2.0.192.zen.test", "invalid.dbl.test", "spam.example.dbl.test"] {
            service.set(name, .a, .records(addresses: [name.hasSuffix("dbl.test") ? 0x7f00_0102 : 0x7f00_0002], texts: [], ttl: 60))
        }
        let lookups = DNSListLookups(service: service, logger: logs.logger(), now: { clock.now })
        #expect(check(lookups, zen, .address("192.0.2.2")) == .unknown(.answersEveryName))
        #expect(check(lookups, zen, .address("192.0.2.3")) == .unknown(.answersEveryName))
        #expect(check(lookups, dbl, .domain("spam.example")) == .unknown(.answersEveryName))
        #expect(lookups.knownResult(zen, .address("192.0.2.2"), wantsText: false) == .unknown(.answersEveryName))
        // Checked once per list and kind, logged once per list with what to do.
        #expect(service.queries.filter { $0.hasPrefix("A 255.") || $0.hasPrefix("A invalid.") }.count == 2)
        let errors = logs.all.filter { $0.contains("answers every name") }
        #expect(errors.count == 2)
        #expect(errors.first?.contains("255.255.255.255.zen.test is listed (127.0.0.2)") == true)
        #expect(errors.first?.contains("Check the list's zone name") == true)
        // Ten minutes on, the zone is sane again: the next lookup checks, and the list counts again.
        clock.advance(.seconds(601))
        service.set("255.255.255.255.zen.test", .a, .notFound(ttl: nil))
        #expect(check(lookups, zen, .address("192.0.2.2")) == .listed(codes: [0x7f00_0002], text: nil))
        #expect(logs.all.filter { $0.contains("no longer answers every name") }.count == 1)
        // The way serve asks (the known result first, a lookup only for nil) checks again too.
        service.set("invalid.dbl.test", .a, .notFound(ttl: nil))
        _ = lookups.knownResult(dbl, .domain("spam.example"), wantsText: false)
        #expect(lookups.knownResult(dbl, .domain("spam.example"), wantsText: false) != .unknown(.answersEveryName))
        #expect(logs.all.filter { $0.contains("no longer answers every name") }.count == 2)
        // A list whose check fails is taken as it was (sane), not suspected.
        let fresh = DNSListLookups(service: service, logger: .quiet, now: { clock.now })
        service.set("255.255.255.255.zen.test", .a, .failed(.timeout))
        #expect(check(fresh, zen, .address("192.0.2.2")) == .listed(codes: [0x7f00_0002], text: nil))
        // The first check runs beside the first lookup, whose result waits for it.
        let held = ControlledService()
        held.set("255.255.255.255.zen.test", .a, .records(addresses: [0x7f00_0002], texts: [], ttl: 60))
        held.set("2.2.0.192.zen.test", .a, .records(addresses: [0x7f00_0002], texts: [], ttl: 60))
        held.hold(true)
        let gated = DNSListLookups(service: held, logger: .quiet)
        let results = Results()
        gated.check(zen, .address("192.0.2.2"), wantsText: false) { results.add($0) }
        #expect(held.queries == ["A 255.255.255.255.zen.test", "A 2.2.0.192.zen.test"])
        #expect(gated.knownResult(zen, .address("192.0.2.2"), wantsText: false) == nil)
        held.release("A 2.2.0.192.zen.test")
        #expect(results.all.isEmpty)
        held.release("A 255.255.255.255.zen.test")
        #expect(results.all == [.unknown(.answersEveryName)])
        // Off by policy: no check.
        var policy = DNSListLookups.Policy()
        policy.everyNameCheckInterval = nil
        let unchecked = ControlledService()
        _ = check(DNSListLookups(service: unchecked, policy: policy, logger: .quiet), zen, .address("192.0.2.2"))
        #expect(unchecked.queries == ["A 2.2.0.192.zen.test"])
    }

    @Test("five timeouts in a row suspend the list (logged), for 60 s; one answer brings it back, one timeout re-suspends")
    func suspension() throws {
        let service = ControlledService(), clock = ManualClock(), logs = LogRecorder()
        let lookups = DNSListLookups(service: service, logger: logs.logger(), now: { clock.now })
        for index in 1...5 { service.set("\(index).0.0.127.zen.test", .a, .failed(.timeout)) }
        for index in 1...4 { #expect(check(lookups, zen, .address("127.0.0.\(index)")) == .unknown(.failed(.timeout))) }
        #expect(logs.all.isEmpty)
        #expect(check(lookups, zen, .address("127.0.0.5")) == .unknown(.failed(.timeout)))
        #expect(logs.all.filter { $0.contains("5 lookups in a row timed out; not asked for 60 s") }.count == 1)
        #expect(check(lookups, zen, .address("127.0.0.6")) == .unknown(.suspended))
        #expect(service.queries.count == 6)  // with the every-name check
        clock.advance(.seconds(61))
        // Back on probation: a timeout suspends it again at once, without a second warning.
        #expect(check(lookups, zen, .address("127.0.0.1")) == .unknown(.failed(.timeout)))
        #expect(check(lookups, zen, .address("127.0.0.6")) == .unknown(.suspended))
        clock.advance(.seconds(61))
        #expect(check(lookups, zen, .address("127.0.0.6")) == .notListed)
        #expect(logs.all.filter { $0.contains("answers again") }.count == 1)
        #expect(check(lookups, zen, .address("127.0.0.1")) == .unknown(.failed(.timeout)))
        #expect(check(lookups, zen, .address("127.0.0.7")) == .notListed)
    }

    @Test("a refused resolver (127.255.255.254) is never a listing, and is logged once an hour with what to do")
    func refusedResolver() throws {
        let service = ControlledService(), clock = ManualClock(), logs = LogRecorder()
        let any = DNSList(name: "zen", zone: "zen.test")
        for index in 1...3 { service.set("\(index).0.0.127.zen.test", .a, .records(addresses: [0x7fff_fffe], texts: [], ttl: 1)) }
        let lookups = DNSListLookups(service: service, logger: logs.logger(), now: { clock.now })
        #expect(check(lookups, any, .address("127.0.0.1")) == .unknown(.resolverRefused(0x7fff_fffe)))
        #expect(check(lookups, any, .address("127.0.0.2")) == .unknown(.resolverRefused(0x7fff_fffe)))
        let warnings = logs.all.filter { $0.contains("refuses this resolver") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("local recursive resolver") == true)
        clock.advance(.seconds(3601))
        #expect(check(lookups, any, .address("127.0.0.3")) == .unknown(.resolverRefused(0x7fff_fffe)))
        #expect(logs.all.filter { $0.contains("refuses this resolver") }.count == 2)
    }

    @Test("the cache is bounded: when full, expired entries go first, then the oldest")
    func boundedCache() throws {
        let service = ControlledService(), clock = ManualClock()
        var policy = DNSListLookups.Policy()
        policy.maximumCacheEntries = 10
        let lookups = DNSListLookups(service: service, policy: policy, logger: .quiet, now: { clock.now })
        for index in 0..<25 { _ = check(lookups, zen, .domain("host\(index).example")) }
        #expect(lookups.cachedCount <= 10)
        #expect(lookups.knownResult(zen, .domain("host24.example"), wantsText: false) == .notListed)
        #expect(lookups.knownResult(zen, .domain("host0.example"), wantsText: false) == nil)
    }

    @Test(
        "through the real resolver and nsd: listed with its TXT, a refused resolver, not listed",
        .enabled(if: NSDServer.isInstalled, "needs /usr/sbin/nsd"))
    func againstNSD() throws {
        let server = try NSDServer(zones: ["list.test": TestZones.list])
        defer { server.stop() }
        let lookups = DNSListLookups(service: try resolver(server.address), logger: .quiet)
        let list = DNSList(name: "test", zone: "list.test", codes: try DNSListCodes(parsing: ["127.0.0.2"]))
        let results = Results()
        for address in ["127.0.0.2", "192.0.2.99", "127.0.0.1", "192.0.2.10"] {
            lookups.check(list, .address(address), wantsText: true) { results.add($0) }
        }
        let deadline = Date().addingTimeInterval(10)
        while results.all.count < 4 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(
            Set(results.all) == [
                .listed(codes: [0x7f00_0002], text: "https://check.example/127.0.0.2"), .unknown(.resolverRefused(0x7fff_fffe)), .notListed,
            ])
        #expect(results.all.count == 4)
    }
}
