/// Reads a session's message lines as they pass, in place, for a filter that looks at
/// message content without changing it (the usual case: rules that scan lines). Cheaper
/// than ``LineFilter/onDataLine``, which gets every line as a copy with its session: an
/// observer is looked up once per message and lent each line without a copy, and an
/// unchanged line is echoed byte for byte as it came.
///
/// See ``LineFilter/dataLineObserver``.
public protocol DataLineObserver: AnyObject {
    /// One message line, dot-stuffing removed (the final `.` is not shown), lent for the
    /// call only. Returns lines to put before it, e.g. header lines at a message's first
    /// line; nil, the usual answer, for none.
    func observe(_ line: UnsafeBufferPointer<UInt8>) -> [DataLine]?
}
