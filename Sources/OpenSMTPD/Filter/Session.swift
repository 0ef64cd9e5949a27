import Logging
import Synchronization

/// One SMTP session as seen by a filter: the handle through which the filter answers the
/// session's current query.
///
/// A query must be answered exactly once. Answer from inside the callback, or call
/// ``deferAnswer()`` before the callback returns and answer later from any thread or task
/// (the session is `Sendable`). If no answer comes, the library sends the filter's
/// ``Filter/fallback`` answer itself, so the mail server is never left waiting; a second
/// answer to the same query is dropped with a warning.
public final class Session: Sendable, CustomStringConvertible {
    /// The daemon's session id.
    public let id: UInt64

    private struct PendingQuery {
        let queryID: UInt64
        let type: QueryType
        let daemonDataLength: UInt32
        var answered = false
        var deferred = false
    }

    private let pending = Mutex<PendingQuery?>(nil)
    /// What every session of the filter shares: one reference, so a session stays small.
    private let context: SessionContext

    init(id: UInt64, context: SessionContext) {
        self.id = id
        self.context = context
    }

    private var outbox: AnswerOutbox { context.outbox }

    private func warn(_ message: @autoclosure () -> Logger.Message) {
        context.logger.warning(message(), metadata: ["session": "\(SessionIdentifier.hex(id))"])
    }

    /// The session id as 16 hex digits, as smtpd logs it.
    public var description: String { SessionIdentifier.hex(id) }

    /// The type of the query waiting for an answer, if any.
    public var pendingQueryType: QueryType? {
        pending.withLock { query in
            guard let query, !query.answered else { return nil }
            return query.type
        }
    }

    /// Accepts the current query (FILTER_OK, the daemon's default reply).
    public func accept() {
        respond(status: .ok, code: 0, line: nil)
    }

    /// Accepts the end of message (QUERY_EOM) of a held message (``Filter/holdsMessage``) and
    /// has `lines` written at the very top of it, before the first line the filter received,
    /// each followed by `\n` (put a `\r` at the end of a line's bytes for CRLF; a `\n`
    /// inside a line is left out). The held message follows byte for byte, and the answer
    /// reaches the daemon after all of it, with the number of bytes written (the lines
    /// included).
    ///
    /// Like every answer, it may come from any thread after ``deferAnswer()``, and only the
    /// first answer to the query counts. When the message was not held (not asked for, over
    /// ``MessageHoldLimits/maximum`` or ``MessageHoldLimits/total``, or the hold could not
    /// spill), or the query is not an EOM, the lines cannot be added: that is logged as a
    /// warning and the query is accepted all the same.
    public func accept(prepending lines: [DataLine]) {
        respond(status: .ok, code: 0, line: nil, prepending: lines)
    }

    /// Accepts the current query with an explicit reply code and text.
    public func accept(code: Int, line: String) {
        respond(status: .ok, code: code, line: line)
    }

    /// Rejects the current query with the daemon's default reply for it. A status of
    /// ``FilterStatus/ok`` is not a rejection and is sent as ``FilterStatus/fail``.
    public func reject(status: FilterStatus, code: Int) {
        respond(status: status == .ok ? .fail : status, code: code, line: nil)
    }

    /// Rejects the current query with a reply code and text. A status of
    /// ``FilterStatus/ok`` is sent as ``FilterStatus/fail``.
    public func reject(status: FilterStatus, code: Int, line: String) {
        respond(status: status == .ok ? .fail : status, code: code, line: line)
    }

    /// Promises an answer after the callback returns (from another thread or task). Call it
    /// inside the callback; if the answer does not come within the filter's
    /// ``Filter/deferredAnswerTimeout``, the fallback answer is sent.
    public func deferAnswer() {
        pending.withLock { query in
            if query != nil { query?.deferred = true }
        }
    }

    // MARK: - Loop side

    /// Starts tracking a new query. Returns the query that was still unanswered, if any.
    func begin(queryID: UInt64, type: QueryType, daemonDataLength: UInt32 = 0) -> (queryID: UInt64, type: QueryType)? {
        pending.withLock { query in
            let previous = query.flatMap { $0.answered ? nil : ($0.queryID, $0.type) }
            query = PendingQuery(queryID: queryID, type: type, daemonDataLength: daemonDataLength)
            return previous
        }
    }

    /// Whether query `queryID` is still waiting for an answer nobody has promised.
    func needsFallback(queryID: UInt64) -> Bool {
        pending.withLock { query in
            guard let query, query.queryID == queryID else { return false }
            return !query.answered && !query.deferred
        }
    }

    /// Whether query `queryID` is still waiting for an answer.
    func isUnanswered(queryID: UInt64) -> Bool {
        pending.withLock { query in
            guard let query, query.queryID == queryID else { return false }
            return !query.answered
        }
    }

    /// Sends `fallback` for query `queryID` if it is still unanswered.
    func answerWithFallback(_ fallback: FallbackAnswer, queryID: UInt64, reason: String) {
        let answer: Answer? = pending.withLock { query in
            guard let current = query, current.queryID == queryID, !current.answered else { return nil }
            query?.answered = true
            return Answer(
                session: id, queryID: current.queryID, type: current.type,
                status: fallback.status, code: fallback.code, line: fallback.line,
                daemonDataLength: current.daemonDataLength)
        }
        guard let answer else { return }
        warn("\(answer.type): \(reason); answering \(fallback.code) \(fallback.line)")
        outbox.post(answer)
    }

    private func respond(status: FilterStatus, code: Int, line: String?, prepending: [DataLine] = []) {
        let clampedCode = Int32(clamping: code)
        let result: Result<Answer, AnswerMisuse> = pending.withLock { query in
            guard let current = query else { return .failure(.noQuery) }
            guard !current.answered else { return .failure(.alreadyAnswered(current.type)) }
            query?.answered = true
            return .success(
                Answer(
                    session: id, queryID: current.queryID, type: current.type,
                    status: status, code: clampedCode, line: line,
                    daemonDataLength: current.daemonDataLength,
                    prepending: current.type == .eom ? prepending : []))
        }
        switch result {
        case let .success(answer):
            if !prepending.isEmpty && answer.type != .eom {
                warn("\(prepending.count) header line(s) could not be added: \(answer.type) is not the end of a message")
            }
            outbox.post(answer)
        case .failure(.noQuery):
            warn("answer \(status) \(code) dropped: no query is waiting")
        case let .failure(.alreadyAnswered(type)):
            warn("second answer \(status) \(code) to \(type) dropped")
        }
    }

    private enum AnswerMisuse: Error {
        case noQuery
        case alreadyAnswered(QueryType)
    }
}

/// The event loop's outbox and logger, shared by all of a filter's sessions.
final class SessionContext: Sendable {
    let outbox: AnswerOutbox
    let logger: Logger

    init(outbox: AnswerOutbox, logger: Logger) {
        self.outbox = outbox
        self.logger = logger
    }
}
