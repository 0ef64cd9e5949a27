import DNSLists
import Dispatch
import FilterRules

/// DNS list lookups for the dry-run: a step waits here for its lookups (answers from a
/// ``DNSAnswerFile`` come at once; live ones within the resolver's timeout), which a
/// command-line run may do where a filter serving smtpd may not.
public struct BlockingListLookups: Sendable {
    /// The lookups.
    public let lookups: DNSListLookups

    /// Blocking lookups through `lookups`.
    public init(_ lookups: DNSListLookups) {
        self.lookups = lookups
    }

    /// Looks `inputs` (stage and input) up in the lists the rules of `engine` use there,
    /// gives the results to its evaluator for the next step, and returns them as the report
    /// shows them (`zen: listed (127.0.0.2)`, …; empty when nothing was looked up).
    public func resolve(_ inputs: [(stage: Stage, value: String)], for engine: SessionEngine) -> [String] {
        // As under serve: a session accepted for good or closed asks no list.
        guard !engine.evaluator.isSettled else { return [] }
        var shown: [String] = []
        var results: [Stage: [String: DNSListResult]] = [:]
        for query in DNSListQuery.needed(by: engine.evaluator.ruleSet, for: inputs) {
            var result = DNSListResult.notLookedUp
            if let subject = query.subject {
                let done = DispatchSemaphore(value: 0)
                let box = ResultBox()
                lookups.check(query.list, subject, wantsText: query.wantsText) { result in
                    box.result = result
                    done.signal()
                }
                done.wait()
                result = box.result ?? .unknown(.failed(.shutDown))
            }
            results[query.stage, default: [:]][query.list.name] = result
            shown.append("\(query.stage.rawValue) listed \(query.list.name): \(result)")
        }
        for (stage, byList) in results { engine.evaluator.setListings(byList, for: stage) }
        return shown
    }

    /// Carries a result from the completion to the waiting thread (the semaphore orders them).
    private final class ResultBox: @unchecked Sendable {
        var result: DNSListResult?
    }
}
