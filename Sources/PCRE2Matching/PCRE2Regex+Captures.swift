import CPCRE2

/// The outcome of matching with capture groups: where each group matched.
public enum RegexCaptureResult: Sendable, Equatable {
    /// The pattern matched. Element 0 is the whole match, element N group N, as byte
    /// ranges in the subject's UTF-8; nil for a group that did not take part in the match.
    case match([Range<Int>?])
    /// The pattern did not match.
    case noMatch
    /// Matching was abandoned because a resource limit was hit; the text names the limit.
    case limitExceeded(String)
    /// PCRE2 reported another error; the text is PCRE2's message.
    case failed(String)
}

extension PCRE2Regex {
    /// The number of capture groups in the pattern (`PCRE2_INFO_CAPTURECOUNT`).
    public var captureGroupCount: Int {
        var count: UInt32 = 0
        _ = pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        return Int(count)
    }

    /// Matches against `subject` and reports the range of the match and of every group.
    ///
    /// Uses the limits, JIT stack and deadline of `scratch`; the match data sized for all groups is
    /// allocated per call, so this costs more than `matches(_:scratch:)`: find the matching
    /// pattern with that, then call this once for its groups.
    public func captures(in subject: [UInt8], scratch: MatchScratch) -> RegexCaptureResult {
        // Sized by PCRE2 for the whole match plus every group of the pattern.
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else {
            return .failed("PCRE2 could not allocate match data")
        }
        defer { pcre2_match_data_free_8(data) }
        var empty: UInt8 = 0
        let outcome = subject.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress {
                return execute(base, buffer.count, data, scratch)
            }
            return execute(&empty, 0, data, scratch)
        }
        guard outcome.rc >= 0 else {
            if outcome.rc == PCRE2_ERROR_NOMATCH { return .noMatch }
            switch outcome.failure(scratch) {
            case .match, .noMatch: return .noMatch
            case let .limitExceeded(reason): return .limitExceeded(reason)
            case let .failed(reason): return .failed(reason)
            }
        }
        guard let ovector = pcre2_get_ovector_pointer_8(data) else {
            return .failed("PCRE2 returned no match offsets")
        }
        // PCRE2_SIZE is size_t, which Swift imports as Int: PCRE2_UNSET (~0) reads as -1.
        let unset = Int(bitPattern: UInt.max)
        let ranges: [Range<Int>?] = (0..<Int(pcre2_get_ovector_count_8(data))).map { index in
            let start = ovector[2 * index]
            let end = ovector[2 * index + 1]
            guard start != unset, end != unset else { return nil }
            // \K can put the start after the end; report an empty range then.
            return min(start, end)..<end
        }
        return .match(ranges)
    }
}
