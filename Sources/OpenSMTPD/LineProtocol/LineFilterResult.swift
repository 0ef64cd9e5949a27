/// The answer to a filter request of the line protocol (every phase but `data-line`).
public enum LineFilterResult: Equatable, Sendable {
    /// Go on: the next filter, or the daemon, decides.
    case proceed
    /// Mark the transaction as spam (smtpd adds an `X-Spam` header).
    case junk
    /// Refuse the command with a reply: 5xx permanent, 4xx temporary (421 also disconnects).
    case reject(code: Int, text: String)
    /// Refuse and close the session with a reply.
    case disconnect(code: Int, text: String)
    /// Replace the command's parameter.
    case rewrite(String)

    /// The decision and its parameter as they follow `SESSION|TOKEN|` on the wire.
    ///
    /// Codes outside 400–599 are sent as 451 (the daemon refuses other codes), and line
    /// breaks in texts as spaces (a line break would end the answer early).
    var wireTail: String {
        func clean(_ text: String) -> String {
            var scalars = String.UnicodeScalarView()
            for scalar in text.unicodeScalars { scalars.append(scalar == "\n" || scalar == "\r" ? " " : scalar) }
            return String(scalars)
        }
        func reply(_ code: Int, _ text: String) -> String {
            let safeCode = (400...599).contains(code) ? code : 451
            let cleaned = clean(text)
            return cleaned.isEmpty ? "\(safeCode)" : "\(safeCode) \(cleaned)"
        }
        switch self {
        case .proceed: return "proceed"
        case .junk: return "junk"
        case let .reject(code, text): return "reject|" + reply(code, text)
        case let .disconnect(code, text): return "disconnect|" + reply(code, text)
        case let .rewrite(value): return "rewrite|" + clean(value)
        }
    }
}
