import Dispatch

/// The threads that evaluate message content off the protocol loop.
///
/// A regex on a long line can take a while (up to the rules' time budget); evaluated on the
/// loop, it would hold every other session's answers back. The adapters hand message lines
/// to a ``SessionContentQueue`` per session instead, whose work runs here, on at most as
/// many threads as the machine has cores (Dispatch's width for CPU-bound work), while the
/// loop goes on answering the other sessions.
public final class ContentWorkers: Sendable {
    /// The concurrent queue every session's serial queue targets.
    let target: DispatchQueue

    /// Creates the workers; `label` names their threads in a debugger.
    public init(label: String = "filter-rules.content") {
        target = DispatchQueue(label: label, qos: .userInitiated, attributes: .concurrent)
    }

    /// A new serial queue for one session's content.
    func serialQueue(for session: UInt64) -> DispatchQueue {
        DispatchQueue(label: "filter-rules.content.\(session)", target: target)
    }
}
