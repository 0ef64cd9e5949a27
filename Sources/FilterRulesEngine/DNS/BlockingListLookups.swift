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
            if let subject = query.subject { result = wait(for: query.list, subject, wantsText: query.wantsText) }
            results[query.stage, default: [:]][query.list.name] = result
            shown.append("\(query.stage.rawValue) listed \(query.list.name): \(result)")
        }
        for (stage, byList) in results { engine.evaluator.setListings(byList, for: stage) }
        return shown
    }

    /// Looks up the domains the message being evaluated named for its `listed` terms (its
    /// text decoded to the end first), gives the results to `engine`'s evaluator for the
    /// end of the message, and returns them as the report shows them (`header from listed
    /// dbl example.net: listed (127.0.1.2)`, …).
    public func resolveMessage(for engine: SessionEngine) -> [String] {
        let evaluator = engine.evaluator
        evaluator.finishMessageContent()
        guard evaluator.awaitsMessageLookups else { return [] }
        var results: [MessageLookup: DNSListResult] = [:]
        var shown: [String] = []
        for (lookup, origin) in evaluator.messageLookups {
            let result = wait(for: lookup.list, lookup.subject, wantsText: lookup.wantsText)
            results[lookup] = result
            shown.append("\(origin) listed \(lookup.list.name) \(lookup.domain): \(result)")
        }
        evaluator.setMessageListings(results)
        return shown
    }

    /// The result of one lookup, waited for.
    private func wait(for list: DNSList, _ subject: DNSListSubject, wantsText: Bool) -> DNSListResult {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        lookups.check(list, subject, wantsText: wantsText) { result in
            box.result = result
            done.signal()
        }
        done.wait()
        return box.result ?? .unknown(.failed(.shutDown))
    }

    /// Carries a result from the completion to the waiting thread (the semaphore orders them).
    private final class ResultBox: @unchecked Sendable {
        var result: DNSListResult?
    }
}
