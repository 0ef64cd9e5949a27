import DNSLists
import FilterRules
import Synchronization

/// The DNS list results of one envelope step as they come in: complete once the last
/// lookup answered.
final class LookupGathering: Sendable {
    private let state: Mutex<(results: [Stage: [String: DNSListResult]], remaining: Int)>

    /// Results known already, and how many lookups are still to come.
    init(results: [Stage: [String: DNSListResult]], remaining: Int) {
        state = Mutex((results, remaining))
    }

    /// Adds one result; every result once this was the last, nil before.
    func add(_ result: DNSListResult, stage: Stage, list: String) -> [Stage: [String: DNSListResult]]? {
        state.withLock { state in
            state.results[stage, default: [:]][list] = result
            state.remaining -= 1
            return state.remaining == 0 ? state.results : nil
        }
    }
}
