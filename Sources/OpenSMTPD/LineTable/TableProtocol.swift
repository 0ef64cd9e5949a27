import Logging

/// The two protocols smtpd speaks to a table program.
public enum TableProtocol: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Table API 2 (OpenSMTPD 6.0 to 7.5): imsg frames on fd 0; served by ``Table``.
    case api2
    /// The text protocol of OpenSMTPD 7.6 and later (smtpd-tables(7), 0.1) on stdin and
    /// stdout; served by ``LineTable``.
    case line

    /// `api2` or `line`.
    public var description: String { rawValue }

    /// Tells which protocol smtpd speaks on `descriptor` without consuming any input.
    ///
    /// smtpd speaks first in both: `config|` starts the text protocol, anything else (the
    /// header of the OPEN frame) is table API 2. A descriptor that is not a socket can only
    /// carry the text protocol; end of input before a decision counts as table API 2,
    /// whose engine then ends normally.
    public static func detect(descriptor: Int32 = 0) -> TableProtocol {
        ConfigLinePeek.startsWithConfigLine(descriptor: descriptor) ? .line : .api2
    }

    /// A new table for the protocol, reading smtpd from fd 0 (and answering on fd 1 for
    /// ``line``), with the library's default settings.
    public func makeTable(logger: Logger) -> any TableCallbacks {
        switch self {
        case .api2: return Table(logger: logger)
        case .line: return LineTable(logger: logger)
        }
    }
}
