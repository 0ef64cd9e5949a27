import Logging
#if canImport(Glibc)
    import Glibc
#endif

/// How the programs' log lines look.
///
/// Under smtpd (stderr a pipe) smtpd puts its own time and the filter's name in front of
/// every line, so a line is only `LEVEL: MESSAGE`:
///
///     notice: session 0a1b2c3d4e5f6071 helo rules.conf:12 reject 550 5.7.1 Go away, matched "localhost"
///
/// Run by hand (stderr a terminal) the line starts with the local time:
///
///     2026-11-25T10:00:00+0100 notice: session ...
///
/// Info lines have no level word (`loaded rules.conf: 12 rules`); the other levels are named
/// by swift-log's names (trace, debug, notice, warning, error, critical). Metadata, if any,
/// follows as ` key=value` in key order, values quoted when they hold blanks, quotes, `=`
/// or control characters. The logger's label is not shown.
public struct LogLineFormat: Sendable, Equatable {
    /// Whether lines start with a timestamp.
    public var timestamps: Bool

    /// Creates a format.
    public init(timestamps: Bool) {
        self.timestamps = timestamps
    }

    /// The format for the process's stderr: timestamps when it is a terminal (`isatty(2)`).
    public static var forStandardError: LogLineFormat {
        LogLineFormat(timestamps: isatty(2) == 1)
    }

    /// The line (without newline) for a message logged at `time` (seconds since the epoch).
    public func line(level: Logger.Level, message: String, metadata: Logger.Metadata = [:], time: time_t) -> String {
        var line = timestamps ? Self.timestamp(time) + " " : ""
        if level != .info { line += "\(level): " }
        line += message
        for key in metadata.keys.sorted() {
            line += " \(key)=\(Self.value(metadata[key]!.description))"
        }
        return line
    }

    /// `2026-11-25T10:00:00+0100`, local time.
    static func timestamp(_ time: time_t) -> String {
        var seconds = time
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A metadata value as written: bare, or quoted with `"`, `\` and control characters escaped.
    static func value(_ text: String) -> String {
        let needsQuotes =
            text.isEmpty
            || text.unicodeScalars.contains {
                $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.properties.generalCategory == .control
            }
        guard needsQuotes else { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            default:
                if scalar.properties.generalCategory == .control {
                    quoted += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}
