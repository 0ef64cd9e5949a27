import CPCRE2

/// The mutable PCRE2 state a match needs: match data, a match context carrying the
/// limits, a JIT stack, and the deadline of the input being matched.
///
/// Not thread-safe: use one per evaluating thread or session.
public final class MatchScratch {
    /// The limits set on the match context.
    public let limits: MatchLimits

    /// The heap PCRE2's interpreter may use for one match, in KiB (`pcre2_set_heap_limit`):
    /// 20 MiB. JIT matches use the JIT stack instead, at most 512 KiB.
    public static let heapLimitKibibytes: UInt32 = 20 * 1024

    /// The match data block (one ovector pair).
    let matchData: OpaquePointer
    /// The match context with the limits and the JIT stack.
    let matchContext: OpaquePointer
    /// The JIT stack assigned to `matchContext`.
    let jitStack: OpaquePointer
    /// When matching of the current input has to stop; nil for no time limit.
    // Read after every match: unchecked, as the scratch is never shared (see the type's
    // documentation), which saves a dynamic exclusivity check each time.
    @exclusivity(unchecked) public var deadline: MatchDeadline?

    /// Sets ``deadline``. A method, not the property: another module's access to the
    /// property itself is checked for exclusivity at run time (the attribute above does not
    /// reach it), two checks for every message line the evaluator scans (callgrind).
    public func setDeadline(_ deadline: MatchDeadline?) {
        self.deadline = deadline
        deadlineRenewable = deadline != nil
    }

    /// The time limits of the input being matched, kept by ``beginInput(lineTimeLimit:messageTimeLimit:messageTimeSpent:)``
    /// until its first regex search starts the deadline; nil when none is waiting.
    // Lazy because most inputs run no regex at all (the prefilter finds no candidate): the
    // two clock reads and the deadline per input were about 4 % of a message line's
    // instructions with 1,000 rules (callgrind). Unchecked as ``deadline``.
    @exclusivity(unchecked) private var pendingInput: PendingInput?
    /// When the current input's first regex search started, on ``MonotonicClock``; nil
    /// while it has run none.
    @exclusivity(unchecked) private var inputSearchStart: UInt64?

    /// The limits of an input whose deadline starts at its first regex search.
    private struct PendingInput {
        var lineTimeLimit: TimeLimit
        var messageTimeLimit: TimeLimit
        var messageTimeSpent: UInt64
    }

    /// Starts an input limited by `lineTimeLimit` and by what is left of
    /// `messageTimeLimit` after `messageTimeSpent` nanoseconds. The clock starts at the
    /// input's first regex search, so an input no regex is run on costs no clock read;
    /// ``endInput()`` tells how long its searches took.
    public func beginInput(lineTimeLimit: TimeLimit, messageTimeLimit: TimeLimit, messageTimeSpent: UInt64) {
        pendingInput = PendingInput(
            lineTimeLimit: lineTimeLimit, messageTimeLimit: messageTimeLimit, messageTimeSpent: messageTimeSpent)
        inputSearchStart = nil
        deadline = nil
        deadlineRenewable = false
    }

    /// Ends the input of ``beginInput(lineTimeLimit:messageTimeLimit:messageTimeSpent:)``:
    /// the nanoseconds from its first regex search to now (0 when it ran none), and no
    /// deadline from then on.
    public func endInput() -> UInt64 {
        defer {
            pendingInput = nil
            inputSearchStart = nil
            deadline = nil
            deadlineRenewable = false
        }
        guard let start = inputSearchStart else { return 0 }
        return MonotonicClock.now() &- start
    }

    /// Sets the deadline of an input begun lazily, at its first regex search.
    @inline(__always)
    func startPendingDeadline() {
        guard let input = pendingInput else { return }
        pendingInput = nil
        let start = MonotonicClock.now()
        inputSearchStart = start
        setDeadline(
            MatchDeadline.forInput(
                startingAt: start, lineTimeLimit: input.lineTimeLimit, messageTimeLimit: input.messageTimeLimit,
                messageTimeSpent: input.messageTimeSpent))
    }

    /// Whether the input's deadline may still be renewed once (see ``PCRE2Regex``'s
    /// execution: a search that ends past it is run again with the same budget, once).
    @exclusivity(unchecked) var deadlineRenewable = false

    /// The match limit set on `matchContext` now (it is lowered for long JIT subjects).
    @exclusivity(unchecked) private var appliedMatchLimit: UInt32
    /// The longest subject a JIT match gets the full match limit for (saves a division
    /// per match on the usual short lines).
    private let fullJITMatchLimitLength: Int
    /// Whether an offset limit is set on `matchContext` now.
    @exclusivity(unchecked) private var hasOffsetLimit = false

    /// Allocates scratch state that enforces `limits`.
    public init(limits: MatchLimits = .default) {
        self.limits = limits
        guard let matchData = pcre2_match_data_create_8(1, nil),
            let matchContext = pcre2_match_context_create_8(nil),
            let jitStack = pcre2_jit_stack_create_8(32 * 1024, 512 * 1024, nil)
        else {
            fatalError("PCRE2 could not allocate match scratch space")
        }
        pcre2_set_match_limit_8(matchContext, limits.matchLimit)
        pcre2_set_depth_limit_8(matchContext, limits.depthLimit)
        pcre2_set_heap_limit_8(matchContext, Self.heapLimitKibibytes)
        pcre2_jit_stack_assign_8(matchContext, nil, UnsafeMutableRawPointer(jitStack))
        self.matchData = matchData
        self.matchContext = matchContext
        self.jitStack = jitStack
        self.appliedMatchLimit = limits.matchLimit
        self.fullJITMatchLimitLength =
            limits.lineTimeLimit.isUnlimited
            ? Int.max
            : Int(UInt64(limits.lineTimeLimit.milliseconds) * MatchLimits.jitStepBytesPerMillisecond / UInt64(max(limits.matchLimit, 1)))
    }

    /// ``MatchLimits/jitMatchLimit(forSubjectLength:)`` of the limits.
    func jitMatchLimit(forSubjectLength length: Int) -> UInt32 {
        length <= fullJITMatchLimitLength ? limits.matchLimit : limits.jitMatchLimit(forSubjectLength: length)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(matchContext)
        pcre2_jit_stack_free_8(jitStack)
    }

    /// Sets the match limit of the next match.
    func applyMatchLimit(_ limit: UInt32) {
        guard limit != appliedMatchLimit else { return }
        pcre2_set_match_limit_8(matchContext, limit)
        appliedMatchLimit = limit
    }

    /// Lets the next match start only at or before `offset`; nil for anywhere.
    func applyOffsetLimit(_ offset: Int?) {
        guard offset != nil || hasOffsetLimit else { return }
        pcre2_set_offset_limit_8(matchContext, offset ?? Int(bitPattern: UInt.max))
        hasOffsetLimit = offset != nil
    }
}
