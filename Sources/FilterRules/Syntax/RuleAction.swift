/// What a matching rule does.
public enum RuleAction: Hashable, Sendable, CustomStringConvertible {
    /// Answer OK; the scope says how much else is accepted without evaluation.
    case accept(AcceptScope)
    /// A permanent refusal (5xx).
    case reject
    /// A temporary refusal (4xx).
    case tempfail
    /// Reply and close the session.
    case disconnect
    /// Mark the message as spam (`X-Spam: Yes`); evaluation goes on with the next rule.
    case junk
    /// Insert this header line (`Name: value`, the value may hold `$N` captures) at the top
    /// of the message; evaluation goes on with the next rule.
    case addHeader(String)
    /// Log the match and change nothing; evaluation goes on with the next rule.
    case warn
    /// Add these points to the transaction's score; evaluation goes on with the next rule.
    case score(Score)
    /// Put the session's key on this dynamic list (for the list's time to live); evaluation
    /// goes on with the next rule.
    case addTo(String)
    /// Take the session's key off this dynamic list; evaluation goes on with the next rule.
    case removeFrom(String)
    /// Greylist the triplet of client network, sender and recipient: a first attempt is
    /// refused (4xx), a retry after the delay passes, and evaluation goes on with the next
    /// rule.
    case greylist

    /// Whether the action ends the stage's evaluation (accept, reject, tempfail,
    /// disconnect); junk, add-header and warn let the next rules be tried.
    public var isFinal: Bool {
        switch self {
        case .accept, .reject, .tempfail, .disconnect, .greylist: return true
        case .junk, .addHeader, .warn, .score, .addTo, .removeFrom: return false
        }
    }

    /// Whether the action is `add-header`.
    public var addsHeader: Bool {
        if case .addHeader = self { return true }
        return false
    }

    /// Whether the action refuses (reject, tempfail, disconnect).
    public var isRefusal: Bool {
        switch self {
        case .reject, .tempfail, .disconnect, .greylist: return true
        default: return false
        }
    }

    /// The action as written in a rules file.
    public var description: String {
        switch self {
        case .accept(.stage): return "accept"
        case .accept(.input): return "accept (exception)"
        case .accept(let scope): return "accept \(scope)"
        case .reject: return "reject"
        case .tempfail: return "tempfail"
        case .disconnect: return "disconnect"
        case .junk: return "junk"
        case .addHeader(let line): return "add-header \"\(line)\""
        case .warn: return "warn"
        case .score(let points): return "score \(points)"
        case .addTo(let list): return "add-to \(list)"
        case .removeFrom(let list): return "remove-from \(list)"
        case .greylist: return "greylist"
        }
    }

    /// The SMTP codes the action allows.
    public var allowedCodes: ClosedRange<Int>? {
        switch self {
        case .accept, .junk, .addHeader, .warn, .score, .addTo, .removeFrom: return nil
        case .reject: return 500...599
        case .tempfail, .greylist: return 400...499
        case .disconnect: return 400...599
        }
    }
}

/// How far an `accept` reaches.
public enum AcceptScope: String, Hashable, Sendable, CustomStringConvertible {
    /// This input only; for data stages scanning goes on with the next line (legacy `!` exceptions).
    case input
    /// This stage: no further rule of the stage is evaluated (for data stages: for the rest of the message).
    case stage
    /// Every later stage of the current transaction.
    case transaction
    /// Every later stage of the session.
    case session

    /// The scope word.
    public var description: String { rawValue }
}

/// An SMTP reply: code and text.
public struct Reply: Hashable, Sendable, CustomStringConvertible {
    /// The three-digit SMTP code.
    public var code: Int
    /// The text after the code (usually starting with an enhanced status code).
    public var text: String

    /// Creates a reply.
    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    /// `CODE TEXT`.
    public var description: String { "\(code) \(text)" }
}
