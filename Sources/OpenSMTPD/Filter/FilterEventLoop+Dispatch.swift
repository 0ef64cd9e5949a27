import Logging
#if canImport(Glibc)
    import Glibc
#endif

/// The daemon's messages, dispatched to the callbacks.
extension FilterEventLoop {
    func dispatch(_ message: DaemonFilterMessage) throws {
        switch message {
        case let .register(version, name):
            guard !registered else { throw ProtocolError.unexpectedMessage("a second IMSG_FILTER_REGISTER") }
            guard version == FilterVersion else {
                throw ProtocolError.versionMismatch(expected: FilterVersion, received: version)
            }
            filter.version = version
            filter.name = name
            try channel.enqueue(FilterReply.register(hooks: filter.hooks, flags: filter.flags).frame())
            registered = true
            logger.debug("registered as \"\(name)\" with hooks 0x\(String(filter.hooks.rawValue, radix: 16))")
        case let .event(id, event):
            try requireRegistration()
            handle(event: event, session: id)
        case let .query(id, queryID, query):
            try requireRegistration()
            handle(query: query, queryID: queryID, session: id)
        case let .pipe(id, sink):
            guard registered else {
                close(sink)
                throw ProtocolError.unexpectedMessage("IMSG_FILTER_PIPE before registration")
            }
            try openPipe(session: id, sink: sink)
        }
    }

    private func requireRegistration() throws {
        if !registered { throw ProtocolError.unexpectedMessage("a filter message before IMSG_FILTER_REGISTER") }
    }

    /// The session `id`, tracked from now on if it is new; nil when the filter is at its
    /// bound of sessions.
    func admit(_ id: UInt64) -> Session? {
        let context = self.context
        return table.admit(id, maximum: filter.maximumSessions, logger: logger) { Session(id: id, context: context) }
    }

    private func handle(event: FilterEvent, session id: UInt64) {
        // A session refused at the bound is not tracked: its events go nowhere, and the end
        // of a session never seen has nothing to end.
        guard let session = event == .disconnect ? table.session(id) : admit(id) else { return }
        let callback: ((Session) throws -> Void)?
        switch event {
        case .connect: callback = nil
        case .reset: callback = filter.onReset
        case .disconnect: callback = filter.onDisconnect
        case .txBegin: callback = filter.onTransactionBegin
        case .txCommit: callback = filter.onCommit
        case .txRollback: callback = filter.onRollback
        }
        if let callback {
            do { try callback(session) } catch {
                logger.error("\(event) callback failed: \(error)", metadata: ["session": "\(session)"])
            }
        }
        if event == .disconnect {
            table.remove(id, maximum: filter.maximumSessions, logger: logger)
        }
    }

    private func handle(query: FilterQuery, queryID: UInt64, session id: UInt64) {
        var dataLength: UInt32 = 0
        if case let .eom(length) = query { dataLength = length }
        guard let session = admit(id) else {
            table.refusedQuery()
            let answer = filter.sessionLimitAnswer
            send(
                Answer(
                    session: id, queryID: queryID, type: query.type, status: answer.status, code: answer.code,
                    line: answer.line, daemonDataLength: dataLength))
            return
        }
        if let previous = session.begin(queryID: queryID, type: query.type, daemonDataLength: dataLength) {
            logger.error("\(query.type) arrived while \(previous.type) is unanswered", metadata: ["session": "\(session)"])
            send(
                Answer(
                    session: id, queryID: previous.queryID, type: previous.type, status: filter.fallback.status,
                    code: filter.fallback.code, line: filter.fallback.line, daemonDataLength: 0))
        }
        switch query {
        case let .connect(connect):
            invoke(filter.onConnect.map { callback in { try callback(session, connect) } }, session: session, queryID: queryID)
        case let .helo(name):
            invoke(filter.onHELO.map { callback in { try callback(session, name) } }, session: session, queryID: queryID)
        case let .mail(address):
            invoke(filter.onMAIL.map { callback in { try callback(session, address.user, address.domain) } }, session: session, queryID: queryID)
        case let .rcpt(address):
            invoke(filter.onRCPT.map { callback in { try callback(session, address.user, address.domain) } }, session: session, queryID: queryID)
        case .data:
            invoke(filter.onDATA.map { callback in { try callback(session) } }, session: session, queryID: queryID)
        case let .eom(length):
            let message = table.message(of: session)
            message.eom = (queryID, length)
            message.eomCallbackRun = false
            message.heldEOMAnswer = nil
            runEOMIfReady(message)
        }
    }

    /// Runs a query callback (or accepts when there is none) and makes sure an answer exists.
    func invoke(_ body: (() throws -> Void)?, session: Session, queryID: UInt64) {
        guard let body else {
            session.accept()
            return
        }
        do {
            try body()
        } catch {
            session.answerWithFallback(filter.fallback, queryID: queryID, reason: "callback failed: \(error)")
            return
        }
        if session.needsFallback(queryID: queryID) {
            session.answerWithFallback(filter.fallback, queryID: queryID, reason: "callback returned without answering")
        } else if session.isUnanswered(queryID: queryID) {
            deferred[session.id] = (session, queryID, .now + filter.deferredAnswerTimeout)
        }
    }

    func expireDeferredAnswers() {
        guard !deferred.isEmpty else { return }
        let now = ContinuousClock.now
        for (id, entry) in deferred where entry.deadline <= now || !entry.session.isUnanswered(queryID: entry.queryID) {
            deferred[id] = nil
            entry.session.answerWithFallback(filter.fallback, queryID: entry.queryID, reason: "deferred answer timed out")
        }
    }
}
