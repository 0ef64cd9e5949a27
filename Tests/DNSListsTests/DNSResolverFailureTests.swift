import DNSLists
import Foundation
import Synchronization
import Testing
import TestSupport

/// The resolver against servers that misbehave: silent, SERVFAIL, REFUSED, garbage, late.
@Suite("DNS resolver against servers that misbehave")
struct DNSResolverFailureTests {
    @Test("a server that never answers: the lookup fails with timeout at its deadline, after 2 tries")
    func silent() throws {
        let server = try ScriptedDNSServer { _ in .silence }
        defer { server.stop() }
        let resolver = try resolver(server.address, timeout: .milliseconds(600))
        let start = ContinuousClock.now
        #expect(lookUp(resolver, "2.0.0.127.list.test") == .failed(.timeout))
        let took = ContinuousClock.now - start
        #expect(took >= .milliseconds(550) && took < .seconds(3), "took \(took)")
        Thread.sleep(forTimeInterval: 0.1)
        #expect(server.queryCount == 2)
    }

    @Test("SERVFAIL and REFUSED are failures of their own, told apart from not listed")
    func serverFailures() throws {
        for (rcode, failure) in [(UInt8(2), DNSFailure.serverFailure), (5, .refused)] {
            let server = try ScriptedDNSServer { query in .send(ScriptedDNSServer.answer(to: query, rcode: rcode)) }
            defer { server.stop() }
            let resolver = try resolver(server.address)
            #expect(lookUp(resolver, "2.0.0.127.list.test") == .failed(failure))
        }
    }

    @Test("malformed answers: a failure or nothing found, never a crash or a listing")
    func malformed() throws {
        let cases: [@Sendable ([UInt8]) -> [UInt8]] = [
            { query in Array(query.prefix(2)) + [0x81, 0x80, 0x00, 0x01, 0x00, 0x05] },  // cut in the header
            { query in ScriptedDNSServer.answer(to: query, rcode: 0, answers: [[0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 1, 0, 0x00, 0x09, 127, 0]]) },
            { query in ScriptedDNSServer.answer(to: query, rcode: 0, answers: [[0xc0, 0x0c, 0x00, 0x01]]) },
            { query in ScriptedDNSServer.answer(to: query, rcode: 0, answers: [[0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 1, 0, 0x00, 0x02, 127, 0]]) },
            { query in ScriptedDNSServer.answer(to: query, rcode: 0, answers: [[0xc0, 0xff, 0x00, 0x01, 0x00, 0x01, 0, 0, 1, 0, 0x00, 0x04, 127, 0, 0, 2]]) },
        ]
        for (index, make) in cases.enumerated() {
            let server = try ScriptedDNSServer { query in .send(make(query)) }
            defer { server.stop() }
            let resolver = try resolver(server.address, timeout: .milliseconds(600))
            // An A record of 2 bytes is skipped by c-ares's parser: nothing found.
            let answer = lookUp(resolver, "2.0.0.127.list.test")
            switch answer {
            case .failed: #expect(index != 3)
            case .notFound: #expect(index == 3)
            default: Issue.record("case \(index): \(String(describing: answer))")
            }
        }
    }

    @Test("an answer after the deadline is dropped: one completion, timeout")
    func late() throws {
        let server = try ScriptedDNSServer { query in
            .send(ScriptedDNSServer.answer(to: query, rcode: 0, answers: [ScriptedDNSServer.aRecord([127, 0, 0, 2])]), delay: .milliseconds(500))
        }
        defer { server.stop() }
        let resolver = try resolver(server.address, timeout: .milliseconds(300))
        let answers = Answers()
        answers.start(resolver, "2.0.0.127.list.test")
        Thread.sleep(forTimeInterval: 1.0)
        #expect(answers.wait(for: 1)[0] == [.failed(.timeout)])
    }

    @Test("lookups over the in-flight bound wait their turn and are all answered")
    func queued() throws {
        let server = try ScriptedDNSServer { query in
            .send(ScriptedDNSServer.answer(to: query, rcode: 0, answers: [ScriptedDNSServer.aRecord([127, 0, 0, 2])]), delay: .milliseconds(50))
        }
        defer { server.stop() }
        let resolver = try resolver(server.address, timeout: .seconds(5), maximumInFlight: 4)
        let answers = Answers()
        let start = ContinuousClock.now
        for index in 0..<40 { answers.start(resolver, "\(index).list.test", index: index) }
        let got = answers.wait(for: 40)
        let took = ContinuousClock.now - start
        #expect(got.count == 40)
        #expect(got.values.allSatisfy { $0 == [.records(addresses: [0x7f00_0002], texts: [], ttl: 300)] })
        // Four at a time, 50 ms each: ten rounds at least.
        #expect(took >= .milliseconds(480), "took \(took)")
        #expect(server.queryCount == 40)
    }
}
