import Foundation
import Testing

extension FilterRulesInteropTests {
    /// Issue 10's soak: many clients at once for a minute against smtpd with filter-rules,
    /// while its rules are reloaded under it.
    @Suite("filter-rules under smtpd: soak")
    struct SoakTests {
        /// Concurrent SMTP clients.
        static let clients = 50
        /// Seconds the clients keep starting sessions (the 60 s). The test takes a few
        /// seconds more: smtpd's start, the sessions under way, the queue's drain, the checks.
        static let duration = 60.0

        @Test(
            "50 clients for 60 s, rules reloaded every 2 s (once broken): each session gets its rules' answer, each accepted message arrives once, intact"
        )
        func soak() throws {
            let began = ContinuousClock.now
            let report = try withRealSMTPD(rules: SoakRules.variantA) { server in
                let pids = server.filterPIDs
                let filter = try #require(pids.first, "no filter process\n\(server.logTail())")
                try #require(pids.count == 1, "filter processes: \(pids)")

                let driver = SoakDriver(server: server, workers: Self.clients, seconds: Self.duration)
                let running = try driver.start()
                var reloader = SoakReloader(server: server, filter: filter)
                reloader.run(until: { !running.isRunning }, atMost: Self.duration + 2 * SoakDriver.replyTimeout)
                let summary = try driver.finish(running, timeout: 10)

                Self.expectAnswers(summary, server: server)
                Self.expectReloads(reloader, server: server)
                let bytes = Self.expectDeliveries(summary, server: server)
                Self.expectLog(summary, reloader: reloader, server: server)
                #expect(server.isRunning, "smtpd died\n\(server.logTail())")
                #expect(server.filterPIDs == [filter], "the filter was restarted or died: \(server.filterPIDs), was \(filter)")
                return Self.report(summary, bytes: bytes, reloads: reloader.ticks)
            }
            print("\(report); the test took \(ContinuousClock.now - began)")
        }

        /// One line with the run's figures.
        private static func report(_ summary: SoakSummary, bytes: Int, reloads: Int) -> String {
            let times = summary.sessions.map(\.seconds).sorted()
            return String(
                format: "soak: %d sessions in %.1f s by %d clients: %.1f sessions/s (a session took %.2f s in the median, %.2f s at most); "
                    + "%d messages delivered (%.1f MB), %d sessions refused; %d reloads, one of them of the broken file",
                summary.sessions.count, summary.seconds, summary.workers, summary.sessionsPerSecond,
                times.isEmpty ? 0 : times[times.count / 2], times.last ?? 0,
                summary.accepted.count, Double(bytes) / 1_000_000, summary.sessions.count - summary.accepted.count, reloads)
        }
    }
}
