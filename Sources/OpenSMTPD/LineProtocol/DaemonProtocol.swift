/// The two ways OpenSMTPD talks to a filter.
public enum DaemonProtocol: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Filter API 52 of OpenSMTPD 6.0.x: binary imsg frames on a socket on fd 0.
    case filterAPI52 = "v52"
    /// The line protocol of OpenSMTPD 6.6 and later: text lines on stdin and stdout.
    case lineProtocol = "line"

    /// `v52` or `line`.
    public var description: String { rawValue }

    /// Tells which protocol the daemon speaks on `descriptor` without consuming any input.
    ///
    /// The daemon speaks first in both. A descriptor that is not a socket (a pipe) can only
    /// carry the line protocol, since filter API 52 passes descriptors. On a socket, the
    /// first bytes are peeked: `config|` starts the line protocol; anything else (an imsg
    /// header) is filter API 52. End of input before a decision counts as filter API 52,
    /// whose engine then ends normally.
    public static func detect(descriptor: Int32 = 0) -> DaemonProtocol {
        ConfigLinePeek.startsWithConfigLine(descriptor: descriptor) ? .lineProtocol : .filterAPI52
    }
}
