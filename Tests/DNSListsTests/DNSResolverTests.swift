import DNSLists
import Foundation
import Testing
import TestSupport

/// The resolver against Debian's nsd on 127.0.0.1, serving test zones.
@Suite(
    "DNS resolver against a real nsd", .serialized,
    .enabled(if: NSDServer.isInstalled, "needs /usr/sbin/nsd (Debian package nsd; scripts/test installs it)"))
final class DNSResolverTests {
    let server: NSDServer

    init() throws {
        server = try NSDServer(zones: ["list.test": TestZones.list, "every.test": TestZones.wildcard])
    }

    deinit { server.stop() }

    @Test("a listed address: its codes with the least TTL; its TXT; an unlisted one is not found with the SOA's negative TTL")
    func listed() throws {
        let resolver = try resolver(server.address)
        #expect(
            lookUp(resolver, "2.0.0.127.list.test") == .records(addresses: [0x7f00_0002, 0x7f00_0004], texts: [], ttl: 120)
                || lookUp(resolver, "2.0.0.127.list.test") == .records(addresses: [0x7f00_0004, 0x7f00_0002], texts: [], ttl: 120))
        #expect(lookUp(resolver, "2.0.0.127.list.test", .txt) == .records(addresses: [], texts: ["https://check.example/127.0.0.2"], ttl: 90))
        #expect(lookUp(resolver, "1.0.0.127.list.test") == .notFound(ttl: 60))
        // A name with a TXT record and no A record (NODATA) is not listed either.
        #expect(lookUp(resolver, "3.0.0.127.list.test") == .notFound(ttl: 60))
        #expect(lookUp(resolver, "3.0.0.127.list.test", .txt) == .records(addresses: [], texts: ["text only"], ttl: 300))
    }

    @Test("a CNAME chain is followed; the TTL is the chain's least")
    func cnameChain() throws {
        let resolver = try resolver(server.address)
        #expect(lookUp(resolver, "10.2.0.192.list.test") == .records(addresses: [0x7f00_000a], texts: [], ttl: 30))
    }

    @Test("a TXT of 60 KB comes whole (truncated over UDP, then over TCP)")
    func longText() throws {
        let resolver = try resolver(server.address)
        let answer = lookUp(resolver, "long.list.test", .txt)
        guard case .records(_, let texts, _) = answer else {
            Issue.record("got \(String(describing: answer))")
            return
        }
        #expect(texts == [String(repeating: TestZones.longString, count: 240)])
    }

    @Test("a zone that answers every name answers every name (the list layer judges the codes)")
    func wildcard() throws {
        let resolver = try resolver(server.address)
        #expect(lookUp(resolver, "1.0.0.127.every.test") == .records(addresses: [0x7f00_0002], texts: [], ttl: 300))
        #expect(lookUp(resolver, "random-name.every.test") == .records(addresses: [0x7f00_0002], texts: [], ttl: 300))
    }

    @Test("1,000 lookups at once, 64 in flight at most: every one is answered, none twice")
    func manyAtOnce() throws {
        let resolver = try resolver(server.address, maximumInFlight: 64)
        let answers = Answers()
        for index in 0..<1000 {
            answers.start(resolver, index % 2 == 0 ? "2.0.0.127.list.test" : "\(index % 250).1.0.127.list.test", index: index)
        }
        let got = answers.wait(for: 1000)
        #expect(got.count == 1000)
        #expect(got.values.allSatisfy { $0.count == 1 })
        #expect(got.filter { $0.key % 2 == 0 }.values.allSatisfy { if case .records = $0[0] { true } else { false } })
        #expect(got.filter { $0.key % 2 == 1 }.values.allSatisfy { $0[0] == .notFound(ttl: 60) })
    }

    @Test("shut down: what is under way and what comes later fail at once with shutDown")
    func shutdown() throws {
        let silent = try ScriptedDNSServer { _ in .silence }
        defer { silent.stop() }
        let resolver = try resolver(silent.address, timeout: .seconds(30))
        let answers = Answers()
        for index in 0..<5 { answers.start(resolver, "x\(index).list.test", index: index) }
        Thread.sleep(forTimeInterval: 0.1)
        resolver.shutdown()
        let got = answers.wait(for: 5, seconds: 5)
        #expect(got.count == 5 && got.values.allSatisfy { $0 == [.failed(.shutDown)] })
        #expect(lookUp(resolver, "later.list.test") == .failed(.shutDown))
        resolver.shutdown()
    }
}
