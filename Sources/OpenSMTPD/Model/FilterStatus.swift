/// The verdict a filter gives on a query (`enum filter_status`).
public enum FilterStatus: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// FILTER_OK: the query passes to the next filter, or the command is accepted.
    case ok = 0
    /// FILTER_FAIL: the command is refused with the given (or the daemon's default) reply.
    case fail = 1
    /// FILTER_CLOSE: like ``fail``, then the daemon closes the client's connection.
    case close = 2

    /// The C name, for logs.
    public var description: String {
        switch self {
        case .ok: return "FILTER_OK"
        case .fail: return "FILTER_FAIL"
        case .close: return "FILTER_CLOSE"
        }
    }
}
