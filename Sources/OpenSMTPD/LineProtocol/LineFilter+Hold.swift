import Logging

/// Holding messages of the line protocol: their `filter-dataline` lines are kept in a
/// ``HeldMessage`` (without the prefix, which is the same for every line) until the
/// release, then written with the prepended lines first and the final `.` last.
extension LineFilter {
    /// Most bytes of a hold read back at once while it is written out.
    static let releaseChunk = 64 << 10

    /// The message under way of the request's session, begun at its first line (where
    /// ``holdsMessage`` is asked); nil for a session that is not tracked.
    func messageHold(for id: UInt64, prefix: [UInt8]) -> LineMessageHold? {
        if let held = messageHolds.entry(for: id) { return held }
        // The session is tracked from its first request on, as for the data-line callback.
        guard let holdsMessage = holdsMessageOf, let session = session(id) else { return nil }
        var hold: HeldMessage?
        if holdsMessage(session) {
            do {
                _ = try lateAnswerQueue()
                hold = HeldMessage(limits: holdLimits, budget: holdBudget)
            } catch {
                logger.error("session \(SessionIdentifier.hex(id)): cannot hold the message (\(error)): it is passed on as it comes")
            }
        }
        nextHoldSerial += 1
        let held = LineMessageHold(serial: nextHoldSerial, prefix: prefix, hold: hold)
        messageHolds.set(held, for: id)
        return held
    }

    /// Keeps a held line as it would have been written; gives the hold up (writing what it
    /// kept) when it grows over the maximum, takes the held messages over their total, or
    /// cannot spill.
    func keep(_ output: DataLineOutput, raw: UnsafeBufferPointer<UInt8>, in held: LineMessageHold, session: UInt64, emit: LineEmit) throws(LineProtocolError) {
        guard let hold = held.hold else { return }
        var spilled = true
        switch output {
        case .unchanged:
            // Both appends happen whatever the first said: a failed spill keeps the bytes.
            spilled = hold.append(raw)
            spilled = hold.append(CollectionOfOne(10)) && spilled
        case .dropped:
            break
        case let .replaced(lines):
            var written: [UInt8] = []
            for replacement in lines { replacement.appendStuffed(to: &written) }
            spilled = hold.append(written)
        }
        let reason: String
        if !spilled, let failure = hold.spillFailure {
            reason = "cannot spill the held message (\(failure))"
        } else if hold.exceedsMaximum {
            reason = "message over the hold limit of \(hold.limits.maximum) bytes"
        } else if hold.exceedsTotal {
            reason = hold.totalReachedReason
        } else {
            return
        }
        logger.warning("session \(SessionIdentifier.hex(session)): \(reason): passed on without waiting for its verdict, so no header line can be added to it")
        held.givenUp = reason
        held.hold = nil
        try write(hold, prefix: held.prefix, session: session, emit: emit)
        hold.discard()
    }

    /// The final `.` of a message: a held one waits for its release (nothing is written
    /// now); one passed on over the limit still goes to ``onMessageEnd``.
    func endOfMessage(_ held: LineMessageHold, session: UInt64) -> [UInt8] {
        let dot = held.prefix + [UInt8(ascii: "."), 10]
        guard held.hold != nil, let outbox = lateAnswers else {
            messageHolds.remove(session)
            if let reason = held.givenUp {
                callMessageEnd(
                    session,
                    HeldMessageRelease(
                        session: session, serial: held.serial, outbox: nil,
                        notHeldReason: reason, logger: logger))
            } else {
                messageComplete(session)
            }
            return dot
        }
        held.awaitingRelease = true
        let release = HeldMessageRelease(
            session: session, serial: held.serial, outbox: outbox,
            notHeldReason: "", logger: logger)
        if onMessageEnd == nil { release.release() } else { callMessageEnd(session, release) }
        return []
    }

    private func callMessageEnd(_ id: UInt64, _ release: HeldMessageRelease) {
        guard let onMessageEnd, let session = sessions[id] else { return }
        do { try onMessageEnd(session, release) } catch {
            logger.error("session \(SessionIdentifier.hex(id)): message-end callback failed (\(error)); the message is released as it is")
            release.release()
        }
    }

    /// Writes a released message: the lines to prepend, what was held, the final `.`;
    /// nothing when its session ended (or the release is not for the message waiting).
    func writeReleased(session: UInt64, serial: UInt64, prepending lines: [DataLine], emit: LineEmit) throws(LineProtocolError) {
        guard let held = messageHolds.peek(session), held.serial == serial, held.awaitingRelease, let hold = held.hold else {
            logger.debug("session \(SessionIdentifier.hex(session)) ended before its held message was released: nothing written")
            return
        }
        messageHolds.remove(session)
        var head: [UInt8] = []
        for line in lines {
            head += held.prefix
            line.appendStuffed(to: &head)
        }
        try emit(head)
        try write(hold, prefix: held.prefix, session: session, emit: emit)
        hold.discard()
        try emit(held.prefix + [UInt8(ascii: "."), 10])
    }

    /// Writes the kept lines of `hold`, each after `prefix`, a piece at a time. A hold that
    /// cannot be read back whole marks the session so that its `commit` is refused.
    private func write(_ hold: HeldMessage, prefix: [UInt8], session: UInt64, emit: LineEmit) throws(LineProtocolError) {
        var piece: [UInt8] = []
        var carry: [UInt8] = []
        while true {
            let chunk: [UInt8]
            do { chunk = try hold.read(upTo: Self.releaseChunk) } catch {
                logger.error("session \(SessionIdentifier.hex(session)): the held message cannot be read back (\(error)); its commit will be refused")
                damagedMessages.insert(session)
                return
            }
            if chunk.isEmpty { return }
            piece.reserveCapacity(chunk.count + chunk.count / 8 + prefix.count)
            var start = 0
            while let newline = chunk[start...].firstIndex(of: 10) {
                piece += prefix
                if !carry.isEmpty {
                    piece += carry
                    carry.removeAll(keepingCapacity: true)
                }
                piece += chunk[start...newline]
                start = newline + 1
            }
            carry += chunk[start...]
            try emit(piece)
            piece.removeAll(keepingCapacity: true)
        }
    }

    /// Forgets the message under way of a session that ended, and frees its hold.
    func endHold(of session: UInt64) {
        damagedMessages.remove(session)
        guard let held = messageHolds.remove(session) else { return }
        held.hold?.discard()
    }
}

/// The `commit` of a session whose held message could not be passed on whole.
struct DamagedHeldMessage: Error, CustomStringConvertible {
    var description: String { "its held message could not be passed on whole" }
}
