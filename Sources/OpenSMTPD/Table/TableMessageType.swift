/// The imsg message types of the table API 2 (`enum table_proc_type` of OpenSMTPD 6.0.x).
public enum TableMessageType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    /// PROC_TABLE_OK: the type of every reply a table sends.
    case ok = 0
    /// PROC_TABLE_FAIL: defined, but the daemon exits when a table replies with it.
    case fail = 1
    /// PROC_TABLE_OPEN: the handshake, with the API version and the table's name.
    case open = 2
    /// PROC_TABLE_CLOSE: the daemon is done with the table; no reply.
    case close = 3
    /// PROC_TABLE_UPDATE: reload the table's data.
    case update = 4
    /// PROC_TABLE_CHECK: does the table hold this key?
    case check = 5
    /// PROC_TABLE_LOOKUP: the value for this key.
    case lookup = 6
    /// PROC_TABLE_FETCH: the next value of the table.
    case fetch = 7

    /// The C name (`PROC_TABLE_CHECK`), for logs and error messages. String literals: the
    /// request decoder names every payload with it at no cost.
    public var description: String {
        switch self {
        case .ok: return "PROC_TABLE_OK"
        case .fail: return "PROC_TABLE_FAIL"
        case .open: return "PROC_TABLE_OPEN"
        case .close: return "PROC_TABLE_CLOSE"
        case .update: return "PROC_TABLE_UPDATE"
        case .check: return "PROC_TABLE_CHECK"
        case .lookup: return "PROC_TABLE_LOOKUP"
        case .fetch: return "PROC_TABLE_FETCH"
        }
    }

    /// The lowercase name without the prefix ("check"): for a request, the name of the
    /// ``Table`` callback that answers it, as log lines call it.
    var callbackName: String { description.dropFirst("PROC_TABLE_".count).lowercased() }
}

/// The `r` a table answers with: the daemon's result code for UPDATE, CHECK, LOOKUP and FETCH.
public enum TableResult: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// 1: the key was found (CHECK, LOOKUP), a value follows (LOOKUP, FETCH), or the update
    /// succeeded (UPDATE).
    case found = 1
    /// 0: the key is not in the table, there is nothing to fetch, or the update failed.
    case notFound = 0
    /// -1: a temporary failure; the daemon defers what depended on the answer.
    case temporaryFailure = -1

    /// `found`, `not found` or `temporary failure`.
    public var description: String {
        switch self {
        case .found: return "found"
        case .notFound: return "not found"
        case .temporaryFailure: return "temporary failure"
        }
    }
}
