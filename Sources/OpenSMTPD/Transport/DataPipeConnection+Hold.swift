/// Holding a message's output: kept in a ``HeldMessage`` while the verdict is awaited, then
/// written to the sink after the lines to prepend, in bounded chunks and with the sink's
/// back-pressure, before anything else the pipe produces.
extension DataPipeConnection {
    /// Most bytes of a hold loaded into memory at once while it is written out.
    static let releaseChunk = 256 << 10

    /// Whether output goes into a hold (waiting for ``releaseHold(prepending:)``).
    var isHolding: Bool {
        if case .holding = holdPhase { return true }
        return false
    }

    /// Whether a hold is being written to the sink (the input is not read meanwhile).
    var isReleasingHold: Bool {
        if case .releasing = holdPhase { return true }
        return false
    }

    /// Starts holding the output in `hold`: call before any data was read.
    func beginHold(_ hold: HeldMessage) {
        holdPhase = .holding(hold)
    }

    /// Appends the processor's latest output to the hold; past the maximum or the total of
    /// all holds, or when the hold cannot spill, the hold is given up: what it kept is written out first, and the
    /// rest streams through.
    func keepHeldOutput() {
        guard case let .holding(hold) = holdPhase else { return }
        let spilled = hold.append(holdScratch)
        holdScratch.removeAll(keepingCapacity: holdScratch.capacity <= 1 << 20)
        if !spilled, let failure = hold.spillFailure {
            giveUpHold(hold, reason: "cannot spill the held message (\(failure))")
        } else if hold.exceedsMaximum {
            giveUpHold(hold, reason: "message over the hold limit of \(hold.limits.maximum) bytes")
        } else if hold.exceedsTotal {
            giveUpHold(hold, reason: hold.totalReachedReason)
        }
    }

    private func giveUpHold(_ hold: HeldMessage, reason: String) {
        holdGivenUp = reason
        holdNotice = "\(reason): passed on without waiting for its verdict, so no header line can be added to it"
        holdPhase = .releasing(hold)
    }

    /// Ends the hold with its verdict: `lines` go first (each with a `\n`; a `\n` inside a
    /// line is left out), then the held bytes as they were kept. The input must be closed.
    func releaseHold(prepending lines: [DataLine]) {
        guard case let .holding(hold) = holdPhase else { return }
        for line in lines {
            let bytes = line.bytes.filter { $0 != 0x0a }
            pending.append(contentsOf: bytes)
            pending.append(0x0a)
            prependedByteCount += bytes.count + 1
        }
        holdPhase = .releasing(hold)
    }

    /// With the pending output all written: loads the next chunk of a hold being released
    /// into it. False when there is none (the finished hold is freed, or reading it back
    /// failed, which fails the pipe).
    func refillFromHold() -> Bool {
        guard case let .releasing(hold) = holdPhase else { return false }
        pending.removeAll(keepingCapacity: true)
        written = 0
        do {
            let chunk = try hold.read(upTo: Self.releaseChunk)
            if chunk.isEmpty {
                hold.discard()
                holdPhase = .streaming
                return false
            }
            pending = chunk
            return true
        } catch {
            fail("\(error)")
            return false
        }
    }

    /// Frees a hold (its memory and its file).
    func discardHold() {
        switch holdPhase {
        case let .holding(hold), let .releasing(hold): hold.discard()
        case .streaming: break
        }
        holdPhase = .streaming
    }

    /// The line to log about the hold, once.
    func takeHoldNotice() -> String? {
        defer { holdNotice = nil }
        return holdNotice
    }
}
