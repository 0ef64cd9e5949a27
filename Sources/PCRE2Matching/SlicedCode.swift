import CPCRE2
import Synchronization

/// A pattern compiled a second time with `PCRE2_USE_OFFSET_LIMIT`, so that a long subject
/// can be searched slice by slice of start positions, with the clock read in between.
///
/// Compiled on first use: the option makes PCRE2's JIT code slower for every match (by a
/// third with 1,000 rules, filter-bench evaluate), while only subjects longer than
/// ``PCRE2Regex/startPositionsPerSlice`` bytes need it.
final class SlicedCode: Sendable {
    /// The compiled code: not yet, compiled, or not to be had.
    private enum State {
        case notCompiled
        case compiled(OpaquePointer)
        case unavailable
    }

    private let pattern: String?
    private let options: UInt32
    private let state: Mutex<State>

    /// Slices for `pattern` compiled with `options`; nil for a pattern that must not be
    /// sliced (its meaning depends on where the search begins).
    init(pattern: String?, options: UInt32) {
        self.pattern = pattern
        self.options = options
        self.state = Mutex(pattern == nil ? .unavailable : .notCompiled)
    }

    deinit {
        state.withLock { state in
            if case .compiled(let code) = state { pcre2_code_free_8(code) }
        }
    }

    /// The code to match slices with, compiled (and JIT-compiled) on the first call; nil
    /// when the pattern is not to be sliced.
    var code: OpaquePointer? {
        state.withLock { state in
            switch state {
            case .compiled(let code):
                return code
            case .unavailable:
                return nil
            case .notCompiled:
                guard let pattern, case .success(let code) = PCRE2Regex.compile(pattern, options: options | PCRE2_USE_OFFSET_LIMIT)
                else {
                    state = .unavailable
                    return nil
                }
                _ = pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE)
                state = .compiled(code)
                return code
            }
        }
    }
}
