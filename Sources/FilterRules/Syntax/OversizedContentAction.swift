/// What a message gets when part of it goes past a bound under which the rules cannot see
/// it as the recipient will (`set oversized-header`, `set oversized-mime`): never a silent
/// pass, since a sender could otherwise choose what the rules see.
public enum OversizedContentAction: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The message is refused permanently (the default): `554 5.6.0`.
    case reject
    /// The message is refused temporarily: `451 4.6.0`.
    case tempfail
    /// The message goes on, scanned as far as the bound; a warning is logged.
    case accept

    /// The word in rules files.
    public var description: String { rawValue }

    /// The reply for a message refused because of `what` (a description of the bound it
    /// went past, written by the filter, never by the sender); nil for accept.
    public func reply(for what: String) -> Reply? {
        switch self {
        case .reject: return Reply(code: 554, text: "5.6.0 Message refused: it has \(what), more than this server checks")
        case .tempfail: return Reply(code: 451, text: "4.6.0 Message deferred: it has \(what), more than this server checks")
        case .accept: return nil
        }
    }

    /// The verdict, nil for accept.
    public var verdict: Verdict? {
        switch self {
        case .reject: return .reject
        case .tempfail: return .tempfail
        case .accept: return nil
        }
    }
}
