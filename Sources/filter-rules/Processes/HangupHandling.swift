#if canImport(Glibc)
    import Glibc
#endif

/// What SIGHUP would do to a process, from the signal masks of its `/proc/PID/status`
/// (`SigBlk`, `SigCgt`: hex masks, bit N-1 for signal N).
enum HangupHandling: Equatable, Sendable {
    /// A handler catches it.
    case caught
    /// It is blocked (held pending until the process waits for it).
    case blocked
    /// Its default action: a SIGHUP would end the process.
    case defaultAction

    /// Whether a SIGHUP can be sent without ending the process.
    var isSafe: Bool { self != .defaultAction }

    /// The handling given the text of `/proc/PID/status`, whose `SigBlk` is the main
    /// thread's mask. (Other threads are not looked at: one waiting in `sigwait` for SIGHUP
    /// shows it unblocked while it waits, and filter-rules blocks it before any thread exists.)
    static func of(status: String) -> HangupHandling {
        if let caught = mask("SigCgt", in: status), caught & hangupBit != 0 { return .caught }
        if let blocked = mask("SigBlk", in: status), blocked & hangupBit != 0 { return .blocked }
        return .defaultAction
    }

    private static let hangupBit = UInt64(1) << UInt64(SIGHUP - 1)

    /// The hex mask on the `FIELD:` line of a status text.
    static func mask(_ field: String, in status: String) -> UInt64? {
        let prefix = field + ":"
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return UInt64(line.dropFirst(prefix.count).filter { $0 != " " && $0 != "\t" }, radix: 16)
    }
}
