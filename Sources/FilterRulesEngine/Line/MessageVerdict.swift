import FilterRules
import OpenSMTPD
import Synchronization

/// The verdict of a message on the line protocol, decided from its final dot on but answered
/// at `commit`, which smtpd sends only once it has the message: whichever comes second sends
/// the answer. A held message must be decided there (its headers are written before smtpd
/// gets it); any other message is, so that its last lines are evaluated while its dot's echo
/// and smtpd's `commit` are on their way, not after.
final class MessageVerdict: Sendable {
    private enum State {
        case waiting
        case decided(Decision)
        case asked(LineDeferredAnswer)
        case answered
    }
    private let state = Mutex(State.waiting)

    /// The decision arrived (on a content worker).
    func decided(_ decision: Decision) {
        let answer: LineDeferredAnswer? = state.withLock { state in
            guard case .asked(let answer) = state else {
                state = .decided(decision)
                return nil
            }
            state = .answered
            return answer
        }
        answer?.send(LineRulesFilter.result(decision, atCommit: true))
    }

    /// `commit` arrived (on the loop): the decision when it is there; else `later` is
    /// answered when it comes, and nil is returned.
    func commit(deferring later: () -> LineDeferredAnswer) -> Decision? {
        state.withLock { state in
            if case .decided(let decision) = state {
                state = .answered
                return decision
            }
            state = .asked(later())
            return nil
        }
    }
}
