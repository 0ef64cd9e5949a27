import OpenSMTPD

/// A session's queue reads its message lines on the line protocol in place: each line is
/// copied into the batch for the content workers and echoed unchanged, but for the first
/// line of a message that is not held, which brings the envelope's header lines with it
/// (its junk mark smtpd writes itself, answered junk at its step).
extension SessionContentQueue: DataLineObserver {
    /// Queues `line` for evaluation; returns the envelope's header lines at the first line of
    /// a message that is not held, nil otherwise.
    public func observe(_ line: UnsafeBufferPointer<UInt8>) -> [DataLine]? {
        let edits = editsAtFirstLine()
        dataLine(line)
        guard let lines = edits?.headerLines(junkWrittenBySMTPD: true), !lines.isEmpty else { return nil }
        return lines.map { DataLine($0) }
    }
}
