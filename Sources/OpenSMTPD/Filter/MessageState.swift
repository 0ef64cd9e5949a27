/// What the event loop keeps for a session while a message is under way: from its data pipe
/// (or its EOM query, when no data flows through the filter) to the EOM answer. Idle sessions
/// have none, so they cost the loop nothing.
final class MessageState {
    let session: Session
    /// The data pipe, while it is open.
    var pipe: DataPipeConnection?
    /// Set when the message could not be routed through the filter (no descriptors left for a
    /// data pipe): the data bypassed it and the EOM answer is the fallback.
    var bypassFailure: String?
    /// The EOM query being processed: its id and the daemon's byte count.
    var eom: (queryID: UInt64, dataLength: UInt32)?
    var eomCallbackRun = false
    /// The filter's EOM answer, held until the output is complete.
    var heldEOMAnswer: Answer?
    /// Whether that answer's lines to prepend were dealt with: a hold released with them,
    /// or a warning that they cannot be added.
    var prependingDealtWith = false

    init(session: Session) { self.session = session }

    /// Closes the pipe and forgets the message, so that nothing is sent for it any more.
    func end() {
        pipe?.abort()
        pipe = nil
        eom = nil
        heldEOMAnswer = nil
    }
}
