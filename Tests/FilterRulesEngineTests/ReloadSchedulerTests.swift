import Foundation
import FilterRulesEngine
import Synchronization
import Testing

/// The reload scheduler: requests during a reload coalesce into one more, which starts once
/// requests stop, and the running reload hears that it is superseded.
@Suite("Reload scheduler: bursts coalesce")
struct ReloadSchedulerTests {
    /// What the reloads saw.
    final class Log: Sendable {
        struct Run { var started: ContinuousClock.Instant; var superseded: Bool }
        let runs = Mutex<[Run]>([])
        let requests = Mutex<[ContinuousClock.Instant]>([])
    }

    /// A scheduler whose reload takes `duration` and records whether it was superseded at its end.
    private func scheduler(_ log: Log, duration: Duration, quiet: UInt64 = 100_000_000) -> ReloadScheduler {
        ReloadScheduler(quietPeriod: quiet) { superseded in
            let started = ContinuousClock.now
            Thread.sleep(forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
            log.runs.withLock { $0.append(.init(started: started, superseded: superseded())) }
        }
    }

    private func waitIdle(_ scheduler: ReloadScheduler) {
        let deadline = Date().addingTimeInterval(20)
        while scheduler.isBusy, Date() < deadline { usleep(10_000) }
    }

    @Test("100 requests during a reload: two reloads run, the last after the last request")
    func burstCostsTwoReloads() {
        let log = Log()
        let reloads = scheduler(log, duration: .milliseconds(300))
        var taken: [ReloadScheduler.Request] = []
        for _ in 0..<100 {
            log.requests.withLock { $0.append(.now) }
            taken.append(reloads.request())
            usleep(10_000)
        }
        waitIdle(reloads)
        #expect(!reloads.isBusy)
        #expect(taken.first == .started)
        #expect(taken.dropFirst().contains(.queued))
        #expect(taken.filter { $0 == .started }.count == 1, "one reload started by a request; the rest queued or merged")
        let runs = log.runs.withLock { $0 }
        #expect(runs.count == 2, "\(runs.count) reloads ran")
        #expect(runs.first?.superseded == true, "the first reload was told that newer requests came")
        #expect(runs.last?.superseded == false)
        let lastRequest = log.requests.withLock { $0.last! }
        #expect(runs.last!.started > lastRequest, "the last reload started after the last request, so it reads the last file")
    }

    @Test("requests far apart each get their own reload")
    func separateRequestsReloadEach() {
        let log = Log()
        let reloads = scheduler(log, duration: .milliseconds(10))
        for _ in 0..<3 {
            #expect(reloads.request() == .started)
            waitIdle(reloads)
        }
        #expect(log.runs.withLock { $0.count } == 3)
        #expect(log.runs.withLock { $0.allSatisfy { !$0.superseded } })
    }

    @Test("a burst that never stops still reloads after the longest wait")
    func endlessBurstStillReloads() {
        let log = Log()
        let reloads = ReloadScheduler(quietPeriod: 200_000_000, longestWait: 400_000_000) { superseded in
            let started = ContinuousClock.now
            Thread.sleep(forTimeInterval: 0.05)
            log.runs.withLock { $0.append(.init(started: started, superseded: superseded())) }
        }
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .milliseconds(1_500) {
            reloads.request()
            usleep(20_000)
        }
        waitIdle(reloads)
        let count = log.runs.withLock { $0.count }
        #expect(count >= 3 && count <= 6, "\(count) reloads of 50 ms in 1.5 s of requests 20 ms apart with a 0.4 s longest wait")
    }
}
