/// A filter's answer to one query, on its way from a ``Session`` to the event loop.
struct Answer: Sendable {
    let session: UInt64
    let queryID: UInt64
    let type: QueryType
    let status: FilterStatus
    let code: Int32
    let line: String?
    /// The EOM query's data length (echoed when the filter did not route the data).
    let daemonDataLength: UInt32
    /// Lines to write before a held message (an EOM answer only).
    var prepending: [DataLine] = []
}

/// The answer the library gives by itself when a callback throws, returns without
/// answering, or a deferred answer does not come in time.
public struct FallbackAnswer: Sendable, Equatable {
    /// The status sent; a temporary failure by default.
    public var status: FilterStatus
    /// The SMTP code sent.
    public var code: Int32
    /// The reply text sent.
    public var line: String

    /// Creates a fallback answer.
    public init(status: FilterStatus, code: Int32, line: String) {
        self.status = status
        self.code = code
        self.line = line
    }

    /// `451 4.3.0 Temporary failure in mail filter`.
    public static let temporaryFailure = FallbackAnswer(
        status: .fail, code: 451, line: "4.3.0 Temporary failure in mail filter")

    /// `421 4.3.2 Too many sessions in the mail filter, try again later`, closing the
    /// session: the answer at the bound of sessions (``Filter/maximumSessions``).
    public static let tooManySessions = FallbackAnswer(
        status: .close, code: 421, line: "4.3.2 Too many sessions in the mail filter, try again later")
}
