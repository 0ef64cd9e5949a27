import CPCRE2

extension PCRE2Regex {
    /// How many start positions one `pcre2_match` call tries at most while a time limit
    /// is in force: a longer subject is searched slice by slice, with the clock read in
    /// between. Shorter subjects are searched in one call.
    public static let startPositionsPerSlice = 65_536

    /// What running `pcre2_match` on a subject came to.
    struct Execution {
        /// PCRE2's return code, or ``deadlinePassed``.
        var rc: Int32
        /// The match limit it ran under.
        var matchLimit: UInt32
        /// The subject's length.
        var length: Int

        /// The return code of a search stopped because the scratch's deadline passed.
        static let deadlinePassed = Int32.min

        /// The result of a search that neither matched nor failed to match, under the
        /// limits and deadline of `scratch`.
        func failure(_ scratch: MatchScratch) -> RegexMatchResult {
            if rc == Self.deadlinePassed { return .limitExceeded(scratch.deadline?.reason ?? "time limit exceeded") }
            if rc == PCRE2_ERROR_MATCHLIMIT && matchLimit < scratch.limits.matchLimit {
                return .limitExceeded("match limit exceeded (lowered to \(matchLimit) for \(length) bytes)")
            }
            return PCRE2Regex.result(rc)
        }
    }

    /// Runs `pcre2_match` on `count` bytes at `pointer` into `data`, with the limits of
    /// `scratch`: under JIT the match limit lowered for long subjects; with a deadline a
    /// subject longer than ``startPositionsPerSlice`` slice by slice of start positions;
    /// and a search that ends past the deadline without a match reports the deadline.
    ///
    /// The deadline is wall-clock time, and a thread can be descheduled in the middle of a
    /// search that needs microseconds (a busy mail server, a shared virtual machine): the
    /// first search of an input that ends past its line deadline is run once more with the
    /// same budget from now on (a deadline set by the message limit is not renewed). A regex that really is slow overruns again and is reported (it
    /// costs up to twice its budget); a cheap one that was only preempted gets its result.
    func execute(
        _ pointer: UnsafePointer<UInt8>, _ count: Int, _ data: OpaquePointer,
        _ scratch: MatchScratch
    ) -> Execution {
        scratch.startPendingDeadline()
        let outcome = executeOnce(pointer, count, data, scratch)
        // Only the line limit is renewed: the message limit is what is left of the whole
        // message's time, and giving it again would let a message run past its limit
        // unreported (no limit hit, so no fail-closed tempfail).
        guard outcome.rc == Execution.deadlinePassed, scratch.deadlineRenewable, let deadline = scratch.deadline,
            case .line = deadline.source
        else {
            return outcome
        }
        scratch.deadlineRenewable = false
        scratch.deadline = deadline.renewed(at: MonotonicClock.now())
        return executeOnce(pointer, count, data, scratch)
    }

    /// One run of ``execute(_:_:_:_:)``'s search, without the renewal.
    private func executeOnce(
        _ pointer: UnsafePointer<UInt8>, _ count: Int, _ data: OpaquePointer,
        _ scratch: MatchScratch
    ) -> Execution {
        let limit = isJITCompiled ? scratch.jitMatchLimit(forSubjectLength: count) : scratch.limits.matchLimit
        scratch.applyMatchLimit(limit)
        var outcome = Execution(rc: 0, matchLimit: limit, length: count)
        if let deadline = scratch.deadline, count > Self.startPositionsPerSlice, let sliced = slicedCode.code {
            outcome.rc = searchInSlices(sliced, pointer, count, data, scratch, deadline)
        } else {
            outcome.rc = pcre2_match_8(code, pointer, count, 0, 0, data, scratch.matchContext)
        }
        if outcome.rc == PCRE2_ERROR_NOMATCH, let deadline = scratch.deadline, deadline.hasPassed {
            outcome.rc = Execution.deadlinePassed
        }
        return outcome
    }

    /// Searches the subject with `sliced` code one slice of start positions after another,
    /// until a slice ends in something other than no match, or the deadline has passed.
    private func searchInSlices(
        _ sliced: OpaquePointer, _ pointer: UnsafePointer<UInt8>, _ count: Int,
        _ data: OpaquePointer, _ scratch: MatchScratch, _ deadline: MatchDeadline
    ) -> Int32 {
        defer { scratch.applyOffsetLimit(nil) }
        var start = 0
        while true {
            scratch.applyOffsetLimit(start + Self.startPositionsPerSlice - 1)
            let rc = pcre2_match_8(sliced, pointer, count, start, 0, data, scratch.matchContext)
            start += Self.startPositionsPerSlice
            // A match may also begin at the very end (an empty match), hence `<=`.
            guard rc == PCRE2_ERROR_NOMATCH, start <= count else { return rc }
            if deadline.hasPassed { return Execution.deadlinePassed }
        }
    }
}
