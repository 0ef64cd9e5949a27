import Testing

@testable import FilterRules

@Suite("Rules file: set metrics")
struct MetricsOptionTests {
    /// The metrics address `text` sets.
    func address(_ text: String) throws -> MetricsListenAddress? {
        try RuleSetLoader.parse(text: text + "\nhelo /x/ reject\n", file: "r.conf").options.metrics
    }

    @Test("a port alone listens on 127.0.0.1; an address and port, an IPv6 address in brackets, a name; off")
    func forms() throws {
        #expect(try address("set metrics 9465") == MetricsListenAddress(host: "127.0.0.1", port: 9465))
        #expect(try address("set metrics 0.0.0.0:9100") == MetricsListenAddress(host: "0.0.0.0", port: 9100))
        #expect(try address("set metrics [::1]:9465") == MetricsListenAddress(host: "::1", port: 9465))
        #expect(try address("set metrics localhost:1") == MetricsListenAddress(host: "localhost", port: 1))
        #expect(try address("set metrics 9465\nset metrics off") == nil)
        #expect(try address("# none") == nil)
        #expect(MetricsListenAddress(host: "::1", port: 9465).description == "[::1]:9465")
    }

    @Test("bad addresses: file:line:column and the forms that are accepted")
    func badAddresses() {
        let tail = "expected PORT or ADDRESS:PORT, e.g. 9465, 127.0.0.1:9465 or [::1]:9465, or off"
        #expect(diagnostic("set metrics 70000") == "r.conf:1:13: bad address '70000' for metrics, \(tail)")
        #expect(diagnostic("set metrics 127.0.0.1:") == "r.conf:1:13: bad address '127.0.0.1:' for metrics, \(tail)")
        #expect(diagnostic("set metrics ::1:9465") == "r.conf:1:13: bad address '::1:9465' for metrics, \(tail)")
        #expect(diagnostic("set metrics :0") == "r.conf:1:13: bad address ':0' for metrics, \(tail)")
        #expect(diagnostic("set metrics") == "r.conf:1:12: expected a value for metrics")
        #expect(diagnostic("set metrics 9465 9466") == "r.conf:1:18: unexpected 9466 after the value of metrics")
    }
}
