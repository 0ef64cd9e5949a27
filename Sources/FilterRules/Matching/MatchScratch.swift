import CPCRE2

/// The mutable PCRE2 state a match needs: match data, a match context carrying the
/// limits, and a JIT stack.
///
/// Not thread-safe: use one per evaluating thread or session.
public final class MatchScratch {
    /// The limits set on the match context.
    public let limits: MatchLimits

    /// The match data block (one ovector pair).
    let matchData: OpaquePointer
    /// The match context with the limits and the JIT stack.
    let matchContext: OpaquePointer
    /// The JIT stack assigned to `matchContext`.
    let jitStack: OpaquePointer

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
        pcre2_jit_stack_assign_8(matchContext, nil, UnsafeMutableRawPointer(jitStack))
        self.matchData = matchData
        self.matchContext = matchContext
        self.jitStack = jitStack
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(matchContext)
        pcre2_jit_stack_free_8(jitStack)
    }
}
