#if canImport(Glibc)
    import Glibc
#endif

/// Why the harness could not run or drive the real smtpd.
enum InteropError: Error, CustomStringConvertible {
    /// A system call failed.
    case system(String, Int32)
    /// A bounded wait ran out.
    case timedOut(String)
    /// `smtpd -n` refused the generated configuration.
    case badConfiguration(String)
    /// smtpd exited or never listened; the text carries its log.
    case startFailed(String)
    /// Another smtpd (not ours) answers on the control socket.
    case foreignSMTPD(String)
    /// The SMTP client's output could not be read.
    case clientOutput(String)

    var description: String {
        switch self {
        case .system(let call, let code): return "\(call): \(String(cString: strerror(code)))"
        case .timedOut(let what): return "timed out \(what)"
        case .badConfiguration(let text): return "smtpd -n refused the generated smtpd.conf:\n\(text)"
        case .startFailed(let text): return "smtpd did not start:\n\(text)"
        case .foreignSMTPD(let socket): return "another smtpd is running (\(socket) answers); stop it (e.g. `service opensmtpd stop`) before the interop tests"
        case .clientOutput(let text): return "unreadable SMTP client output: \(text)"
        }
    }
}
