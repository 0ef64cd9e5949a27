import Logging

/// The default bound on the sessions a filter tracks at once, on both protocols.
///
/// A tracked session costs the library about 130 (v52) or 190 (line) bytes, `filter-rules`
/// about 900 with its rules engine (BENCHMARKS.md), so the bound keeps a filter within
/// about 100 MB even when the daemon's sessions never end.
public let defaultMaximumSessions = 100_000

/// What a filter does at its bound of sessions: sessions already tracked go on untouched
/// (none is ever evicted); a new session is not tracked, its queries are answered with the
/// filter's session-limit answer (421 and a disconnect by default), and the first refusal and
/// the end of each such episode are logged.
struct SessionLimit {
    /// Whether sessions are being refused.
    private(set) var refusing = false
    /// Queries refused in the current episode.
    private var refusedQueries = 0

    /// Whether a new session may be tracked while `count` are, under `maximum`. Logs a
    /// warning when the bound is first reached.
    mutating func admits(count: Int, maximum: Int, logger: Logger) -> Bool {
        if count < maximum { return true }
        if !refusing {
            refusing = true
            refusedQueries = 0
            logger.warning(
                "\(count) sessions open, the limit of the filter: new sessions are refused (the session-limit answer, 421 by default) until sessions end")
        }
        return false
    }

    /// Counts a query refused because of the bound.
    mutating func refusedQuery() { refusedQueries += 1 }

    /// Call after a session ended: logs the end of a refusal episode once `count` is below `maximum`.
    mutating func sessionEnded(count: Int, maximum: Int, logger: Logger) {
        guard refusing, count < maximum else { return }
        refusing = false
        logger.notice("below the limit of \(maximum) sessions again: new sessions are accepted (\(refusedQueries) queries were refused)")
    }
}
