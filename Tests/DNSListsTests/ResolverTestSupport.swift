import DNSLists
import Foundation
import Synchronization
import TestSupport

/// Lookups made synchronous for the tests: each waits for its completion (with a bound far
/// above any timeout the tests set) and records how many completions came.
final class Answers: Sendable {
    private let state = Mutex<[Int: [DNSAnswer]]>([:])

    /// Starts lookup `index` of `name`.
    func start(_ resolver: DNSResolver, _ name: String, _ type: DNSRecordType = .a, index: Int = 0) {
        resolver.lookup(name, type) { answer in self.state.withLock { $0[index, default: []].append(answer) } }
    }

    /// Waits until `count` lookups have an answer (at most `seconds`); the answers by index.
    func wait(for count: Int, seconds: Double = 20) -> [Int: [DNSAnswer]] {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let done = state.withLock { $0.count }
            if done >= count { break }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return state.withLock { $0 }
    }
}

/// One lookup, waited for.
func lookUp(_ resolver: DNSResolver, _ name: String, _ type: DNSRecordType = .a) -> DNSAnswer? {
    let answers = Answers()
    answers.start(resolver, name, type)
    return answers.wait(for: 1)[0]?.first
}

/// A resolver asking only `server`.
func resolver(_ server: String, timeout: Duration = .seconds(2), maximumInFlight: Int = 256) throws -> DNSResolver {
    var configuration = DNSResolver.Configuration()
    configuration.servers = [DNSServerAddress(server)!]
    configuration.timeout = timeout
    configuration.maximumInFlight = maximumInFlight
    return try DNSResolver(configuration)
}

/// The test zones nsd serves.
enum TestZones {
    /// A list zone: 127.0.0.2 listed with a TXT, 127.0.0.3 with TXT only, a CNAME chain, a
    /// refused-resolver answer, a long TXT; SOA minimum 60 (the negative TTL).
    static let list = """
        $ORIGIN list.test.
        $TTL 300
        @ IN SOA ns.list.test. admin.list.test. 1 3600 600 86400 60
        @ IN NS ns.list.test.
        ns IN A 127.0.0.1
        2.0.0.127 120 IN A 127.0.0.2
        2.0.0.127 IN A 127.0.0.4
        2.0.0.127 90 IN TXT "https://check.example/127.0.0.2"
        3.0.0.127 IN TXT "text only"
        10.2.0.192 IN CNAME hop1.list.test.
        hop1 IN CNAME hop2.list.test.
        hop2 30 IN A 127.0.0.10
        99.2.0.192 IN A 127.255.255.254
        long IN TXT \(longText)
        """

    /// A zone that answers every name under it.
    static let wildcard = """
        $ORIGIN every.test.
        $TTL 300
        @ IN SOA ns.every.test. admin.every.test. 1 3600 600 86400 60
        @ IN NS ns.every.test.
        * IN A 127.0.0.2
        """

    /// 240 character strings of 250 bytes: a TXT record of 60,240 bytes (over TCP only).
    static let longString = String(repeating: "x", count: 250)
    static let longText = Array(repeating: "\"\(longString)\"", count: 240).joined(separator: " ")
}
