import FilterRules
@testable import FilterRulesEngine
import Logging
import Synchronization
import TestSupport
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// A store over rules given as text.
private func store(_ rules: String) throws -> RuleSetStore {
    RuleSetStore(ruleSet: try RuleSetLoader.compile(text: rules, file: "c.rules"))
}

/// Waits up to `seconds` for `condition`.
private func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    for _ in 0..<Int(seconds * 1000) {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}

@Suite("Message content evaluated off the protocol loop")
struct SessionContentQueueTests {
    @Test("lines and the end of the message give the decision the synchronous engine gives, message after message")
    func sameDecisionsAsInline() throws {
        let rules = try store(
            """
            header Subject /win/i reject 554 "5.7.1 no"
            body /bit\\.ly/ tempfail
            """)
        let messages: [[String]] = [
            ["Subject: hello", "", "plain text"],
            ["Subject: You WIN", "", "text"],
            ["Subject: hi", "", "see bit.ly/x"],
            ["Subject: hi", " folded win", "", "ok"],
        ]
        let workers = ContentWorkers()
        let queued = SessionContentQueue(id: 1, store: rules, workers: workers, logger: .quiet)
        let inline = SessionEngine(id: 2, store: rules, logger: .quiet)
        let results = Mutex<[Decision]>([])
        var expected: [Decision] = []
        for message in messages {
            _ = queued.envelope { $0.data() }
            _ = inline.data()
            for line in message {
                queued.dataLine(Array(line.utf8))
                inline.dataLine(Array(line.utf8))
            }
            queued.endOfMessage { decision in results.withLock { $0.append(decision) } }
            expected.append(inline.endOfMessage())
            queued.transactionEnded()
            inline.transactionEnded()
        }
        queued.waitUntilIdle()
        #expect(results.withLock { $0 } == expected)
        #expect(expected.map(\.verdict) == [.accept, .reject, .tempfail, .reject])
    }

    @Test("another session's envelope step is answered while a slow regex chews on a long line")
    func slowContentDoesNotHoldOtherSessions() throws {
        // Nested quantifiers on a long line without a match: seconds of backtracking
        // within the match limit.
        let rules = try store(
            """
            set match-limit 100000000
            set line-time-limit 60s
            set message-time-limit 60s
            body /(.*a){20}/ reject
            helo /^bad$/ reject 550 "5.7.1 bad"
            """)
        let workers = ContentWorkers()
        let slow = SessionContentQueue(id: 1, store: rules, workers: workers, logger: .quiet)
        let other = SessionContentQueue(id: 2, store: rules, workers: workers, logger: .quiet)
        let finished = Atomic<Bool>(false)
        _ = slow.envelope { $0.data() }
        slow.dataLine(Array("Subject: x".utf8))
        slow.dataLine([])
        slow.dataLine([UInt8](repeating: UInt8(ascii: "a"), count: 1_000) + [UInt8](repeating: UInt8(ascii: "b"), count: 10_000))
        slow.endOfMessage { _ in finished.store(true, ordering: .sequentiallyConsistent) }
        let decision = other.envelope { $0.helo("bad") }
        let stillEvaluating = !finished.load(ordering: .sequentiallyConsistent)
        #expect(decision.verdict == .reject)
        #expect(stillEvaluating, "the slow message was already decided: the test did not exercise an overlap")
        #expect(eventually(120) { finished.load(ordering: .sequentiallyConsistent) })
    }

    @Test("a message that falls too far behind is scanned up to there and passes; the next one is scanned whole")
    func backlogIsBounded() throws {
        let rules = try store("body /^stop$/ reject")
        let workers = ContentWorkers()
        let queued = SessionContentQueue(id: 1, store: rules, workers: workers, logger: .quiet)
        let results = Mutex<[Verdict]>([])
        // Hold the session's queue so nothing drains while the backlog fills.
        let gate = Mutex(false)
        let held = Atomic<Bool>(false)
        _ = queued.envelope { $0.data() }
        queued.endOfMessageForTest {
            held.store(true, ordering: .sequentiallyConsistent)
            while !gate.withLock({ $0 }) { usleep(1000) }
        }
        // Only once the worker is held: a worker that starts late would take the first lines
        // with the gate, and they would not count against the backlog.
        #expect(eventually(10) { held.load(ordering: .sequentiallyConsistent) })
        queued.dataLine(Array("Subject: x".utf8))
        queued.dataLine([])
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<(SessionContentQueue.backlogLimit >> 20) + 2 { queued.dataLine(chunk) }
        queued.dataLine(Array("stop".utf8))
        queued.endOfMessage { decision in results.withLock { $0.append(decision.verdict) } }
        queued.transactionEnded()
        gate.withLock { $0 = true }
        _ = queued.envelope { $0.data() }
        queued.dataLine(Array("Subject: y".utf8))
        queued.dataLine([])
        queued.dataLine(Array("stop".utf8))
        queued.endOfMessage { decision in results.withLock { $0.append(decision.verdict) } }
        queued.waitUntilIdle()
        #expect(results.withLock { $0 } == [.accept, .reject])
    }
}

extension SessionContentQueue {
    /// Queues `body` to run on the session's queue, after what is queued so far.
    fileprivate func endOfMessageForTest(_ body: @escaping @Sendable () -> Void) {
        endOfMessage { _ in body() }
    }
}
