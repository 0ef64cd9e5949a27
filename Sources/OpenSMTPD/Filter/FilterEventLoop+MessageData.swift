import COpenSMTPDShims
import Logging
#if canImport(Glibc)
    import Glibc
#endif

/// Message data through the data pipes, and the answers on their way to the daemon (the
/// EOM answer waits for the filter's output to be complete).
extension FilterEventLoop {
    func openPipe(session id: UInt64, sink: Int32) throws {
        guard let session = admit(id) else {
            // A session refused at the bound: its data bypasses the filter (the daemon takes
            // its own sink back as the previous writer's), and its EOM gets the refusal.
            try channel.enqueue(FilterReply.pipe(session: id, input: sink).frame())
            return
        }
        let message = table.message(of: session)
        message.pipe?.abort()
        message.pipe = nil
        message.bypassFailure = nil
        var pair: [Int32] = [-1, -1]
        guard copensmtpd_socketpair(&pair) == 0 else {
            // Out of descriptors (EMFILE, ENFILE): the data bypasses the filter and the
            // message gets the fallback answer, rather than the filter (and smtpd) stopping.
            let reason = "no data pipe for the message: socketpair: \(String(cString: strerror(errno)))"
            logger.error(
                "\(reason); the message bypasses the filter and its EOM gets the fallback answer",
                metadata: ["session": "\(session)"])
            message.bypassFailure = reason
            try channel.enqueue(FilterReply.pipe(session: id, input: sink).frame())
            return
        }
        _ = copensmtpd_set_nonblocking(pair[0], 1)
        _ = copensmtpd_set_nonblocking(sink, 1)
        let pipe = DataPipeConnection(input: pair[0], sink: sink, maximumLineLength: filter.maximumLineLength)
        if let holds = filter.holdsMessage, holds(session) {
            pipe.beginHold(HeldMessage(limits: filter.holdLimits, budget: holdBudget))
        }
        message.pipe = pipe
        // The daemon takes pair[1] as the previous filter's (or the SMTP session's) sink.
        try channel.enqueue(FilterReply.pipe(session: id, input: pair[1]).frame())
    }

    func readPipe(_ pipe: DataPipeConnection, of message: MessageState) {
        let session = message.session
        let callback = filter.onDataLine
        let logger = self.logger
        pipe.readInput(into: &scratch) { line in
            guard let callback else { return .unchanged }
            do {
                return try callback(session, line)
            } catch {
                logger.error("data-line callback failed, line passed unchanged: \(error)", metadata: ["session": "\(session)"])
                return .unchanged
            }
        }
        if let notice = pipe.takeHoldNotice() {
            logger.warning("\(notice)", metadata: ["session": "\(session)"])
        }
        pipe.flushOutput()
    }

    func pipeProgressed(_ message: MessageState) {
        if message.pipe?.inputClosed == true { runEOMIfReady(message) }
        if message.heldEOMAnswer != nil { sendHeldEOMAnswer(message) }
    }

    /// Runs the EOM callback once the EOM query has arrived and the input is complete.
    func runEOMIfReady(_ message: MessageState) {
        guard let eom = message.eom, !message.eomCallbackRun else { return }
        if let pipe = message.pipe, !pipe.inputClosed { return }
        message.eomCallbackRun = true
        let session = message.session
        if let failure = message.bypassFailure {
            session.answerWithFallback(filter.fallback, queryID: eom.queryID, reason: failure)
            return
        }
        if let pipe = message.pipe {
            if let failure = pipe.failure {
                session.answerWithFallback(filter.fallback, queryID: eom.queryID, reason: failure)
                return
            }
            if pipe.processor.inputByteCount != Int(eom.dataLength) {
                session.answerWithFallback(
                    filter.fallback, queryID: eom.queryID,
                    reason: "data length mismatch: read \(pipe.processor.inputByteCount) bytes, daemon wrote \(eom.dataLength)")
                return
            }
            if pipe.processor.overlongLineCount > 0 {
                logger.warning(
                    "\(pipe.processor.overlongLineCount) line(s) over \(filter.maximumLineLength) bytes passed through unfiltered",
                    metadata: ["session": "\(session)"])
            }
        }
        invoke(filter.onEOM.map { callback in { try callback(session, eom.dataLength) } }, session: session, queryID: eom.queryID)
    }

    // MARK: - Answers

    func processAnswers() throws {
        for answer in outbox.drain() {
            if answer.type == .eom, let message = table.existingMessage(answer.session), message.eom?.queryID == answer.queryID {
                message.heldEOMAnswer = answer
                message.prependingDealtWith = false
                sendHeldEOMAnswer(message)
            } else {
                send(answer)
            }
        }
    }

    /// Sends the EOM answer once the output is complete, with the number of bytes written.
    /// A held message is released first: the answer's lines, then what was held.
    func sendHeldEOMAnswer(_ message: MessageState) {
        guard let answer = message.heldEOMAnswer else { return }
        var length = answer.daemonDataLength
        if !message.prependingDealtWith {
            if let pipe = message.pipe, pipe.isHolding {
                // The callback (and so the answer) normally comes after the input's end.
                guard pipe.inputClosed else { return }
                pipe.releaseHold(prepending: answer.prepending)
                pipe.flushOutput()
            } else if !answer.prepending.isEmpty {
                let reason = message.pipe?.holdGivenUp ?? (message.pipe == nil ? "no data went through the filter" : "the message was not held")
                logger.warning(
                    "\(answer.prepending.count) header line(s) could not be added to the message: \(reason)",
                    metadata: ["session": "\(SessionIdentifier.hex(answer.session))"])
            }
            message.prependingDealtWith = true
        }
        if let pipe = message.pipe {
            guard pipe.sinkClosed else { return }
            length = UInt32(truncatingIfNeeded: pipe.outputByteCount)
        }
        // Ended before sending: a later look at the state in this pass (its pipe's other end
        // was ready too) finds nothing to send.
        message.end()
        table.endMessage(answer.session)
        send(answer, dataLength: length)
    }

    func send(_ answer: Answer, dataLength: UInt32? = nil) {
        deferred[answer.session] = deferred[answer.session].flatMap { $0.queryID == answer.queryID ? nil : $0 }
        let reply = FilterReply.response(
            queryID: answer.queryID, type: answer.type,
            dataLength: answer.type == .eom ? (dataLength ?? answer.daemonDataLength) : nil,
            status: answer.status, code: answer.code, line: answer.line)
        do {
            try channel.enqueue(reply.frame())
        } catch {
            // Cannot happen: the reply text is capped well below the frame limit.
            logger.critical("cannot encode the answer to \(answer.type): \(error)")
        }
        if answer.status != .ok || answer.code != 0 {
            logger.debug(
                "\(answer.type) answered \(answer.status) \(answer.code) \(answer.line ?? "")",
                metadata: ["session": "\(SessionIdentifier.hex(answer.session))"])
        }
    }
}
