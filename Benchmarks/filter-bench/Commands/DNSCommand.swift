import ArgumentParser

/// `filter-bench dns`: what DNS list rules cost the answers of the line protocol.
struct DNSCommand: BenchmarkMode {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract:
            "EHLO answer latency (p50, p99, largest) with 1,000 sessions: no DNS rules, DNS list cache hits, misses against nsd, and RCPT of other sessions while a slow list holds 100 EHLOs.",
        discussion:
            "Needs nsd (Debian package nsd). Each case is measured in 3 interleaved rounds of at least 1 s and 2,000 queries."
    )

    @OptionGroup var timing: TimedCaseOptions

    func measure() throws {
        try runDNSLatencyBenchmark(timing.rulesOptions())
    }
}
