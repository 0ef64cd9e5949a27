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

    /// The C name, for logs and error messages.
    public var description: String {
        ["PROC_TABLE_OK", "PROC_TABLE_FAIL", "PROC_TABLE_OPEN", "PROC_TABLE_CLOSE",
         "PROC_TABLE_UPDATE", "PROC_TABLE_CHECK", "PROC_TABLE_LOOKUP", "PROC_TABLE_FETCH"][Int(rawValue)]
    }
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
