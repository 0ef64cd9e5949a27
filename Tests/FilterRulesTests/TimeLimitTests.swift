import TestSupport
import Testing
@testable import FilterRules
@testable import PCRE2Matching
#if canImport(Glibc)
    import Glibc
#endif

/// The CPU time this thread has used, in seconds (a hang detector, not a benchmark).
private func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// An evaluator for the rules `text` (file `t.conf`) that records every limit hit as
/// `LINE: reason`.
private func recordingEvaluator(_ text: String) throws -> (SessionEvaluator, () -> [String]) {
    let evaluator = try rulesSession(text, file: "t.conf")
    final class Hits { var lines: [String] = [] }
    let hits = Hits()
    evaluator.onLimitExceeded = { rule, reason in hits.lines.append("\(rule.location.line): \(reason)") }
    return (evaluator, { hits.lines })
}

/// One message of `bodyLines` after a Subject header: its verdict.
private func send(_ evaluator: SessionEvaluator, _ bodyLines: [[UInt8]]) -> Decision {
    _ = evaluator.data()
    evaluator.dataLine(Array("Subject: x".utf8))
    evaluator.dataLine([])
    for line in bodyLines { evaluator.dataLine(line) }
    return evaluator.endOfMessage()
}

/// 19 `a`s at every other byte from the start, then `x` to `length`: `(.*a){20}` tries
/// every way of placing them, each `.*` running to the end of the line and back.
private func sparseA(_ length: Int) -> [UInt8] {
    var line = [UInt8](repeating: UInt8(ascii: "x"), count: length)
    for index in 0..<19 { line[2 * index] = UInt8(ascii: "a") }
    return line
}

/// Runs of `run` `a`s ended by `b`, to `length` bytes and a final `b`: `(a+)+$` tries
/// every split of each run from each start, under any match limit above 2^run.
private func runsOfA(_ length: Int, run: Int) -> [UInt8] {
    var line: [UInt8] = []
    while line.count < length - 1 { line.append(line.count % (run + 1) == run ? UInt8(ascii: "b") : UInt8(ascii: "a")) }
    return line + [UInt8(ascii: "b")]
}

/// 97,280 bytes of 9-`a` runs: under the JIT limit of that length (1,027) `(a+)+$` needs
/// about 30 ms on the benchmark machine, without hitting the match limit.
private let slowLine = runsOfA(97_280, run: 9)

@Suite("Match limits: lowered for long JIT subjects")
struct JITMatchLimitTests {
    @Test func limitsPerLength() {
        let limits = MatchLimits.default
        #expect(limits.jitMatchLimit(forSubjectLength: 80) == 100_000)
        #expect(limits.jitMatchLimit(forSubjectLength: 1000) == 100_000)
        #expect(limits.jitMatchLimit(forSubjectLength: 1001) == 99_900)
        #expect(limits.jitMatchLimit(forSubjectLength: 97_280) == 1027)
        #expect(limits.jitMatchLimit(forSubjectLength: 1 << 20) == 95)
        #expect(limits.jitMatchLimit(forSubjectLength: 100 << 20) == 10)
        #expect(MatchLimits(matchLimit: 50).jitMatchLimit(forSubjectLength: 97_280) == 50)
        #expect(MatchLimits(matchLimit: 5).jitMatchLimit(forSubjectLength: 100 << 20) == 5)
        #expect(MatchLimits(lineTimeLimit: TimeLimit(milliseconds: 500)).jitMatchLimit(forSubjectLength: 1 << 20) == 953)
        #expect(MatchLimits(lineTimeLimit: .unlimited).jitMatchLimit(forSubjectLength: 1 << 20) == 100_000)
        #expect(MatchScratch().jitMatchLimit(forSubjectLength: 1000) == 100_000)
        #expect(MatchScratch().jitMatchLimit(forSubjectLength: 97_280) == 1027)
    }

    @Test("regression: body /(.*a){20}/ on a 1 MiB line stops at the lowered limit, in well under a second, and says so")
    func catastrophicLongLine() throws {
        let (evaluator, hits) = try recordingEvaluator("body /(.*a){20}/ reject\n")
        let start = threadCPUSeconds()
        #expect(send(evaluator, [sparseA(1 << 20)]) == .accept)
        #expect(threadCPUSeconds() - start < 1)
        #expect(hits() == ["1: match limit exceeded (lowered to 95 for 1048576 bytes)"])
    }

    @Test func catastrophicShortLongLine() throws {
        let (evaluator, hits) = try recordingEvaluator("body /(.*a){20}/ reject\n")
        let start = threadCPUSeconds()
        #expect(send(evaluator, [sparseA(97_280)]) == .accept)
        #expect(threadCPUSeconds() - start < 1)
        #expect(hits() == ["1: match limit exceeded (lowered to 1027 for 97280 bytes)"])
    }

    @Test("ordinary rules still match a 1 MiB line; the catastrophic one no longer does, even where it could")
    func longLineTradeOff() throws {
        let prose = Array(String(repeating: "the quick brown fox jumps over a lazy dog ", count: 25_000).utf8)
        let (ordinary, ordinaryHits) = try recordingEvaluator("body /(?:cat|fox) jumps over a lazy dog $/ reject\n")
        #expect(send(ordinary, [prose]).verdict == .reject)
        #expect(ordinaryHits().isEmpty)
        // Twenty a's in order are there, but finding them takes more steps than 95.
        let (catastrophic, catastrophicHits) = try recordingEvaluator("body /(.*a){20}/ reject\n")
        #expect(send(catastrophic, [[UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)]) == .accept)
        #expect(catastrophicHits() == ["1: match limit exceeded (lowered to 95 for 1048576 bytes)"])
    }

    @Test("without a line time limit the configured match limit applies at any length")
    func unlimitedKeepsTheMatchLimit() throws {
        let (evaluator, hits) = try recordingEvaluator("set line-time-limit 0\nset match-limit 1000\nbody /(.*a){20}/ reject\n")
        #expect(send(evaluator, [sparseA(97_280)]) == .accept)
        #expect(hits() == ["3: match limit exceeded"])
    }
}

@Suite("Time limits: per input and per message")
struct TimeLimitTests {
    @Test func parsing() {
        #expect(TimeLimit.parse("50ms") == TimeLimit(milliseconds: 50))
        #expect(TimeLimit.parse("2s") == TimeLimit(milliseconds: 2000))
        #expect(TimeLimit.parse("2S") == TimeLimit(milliseconds: 2000))
        #expect(TimeLimit.parse("1500MS") == TimeLimit(milliseconds: 1500))
        #expect(TimeLimit.parse("0") == .unlimited)
        #expect(TimeLimit.parse("0s") == .unlimited)
        #expect(TimeLimit.parse("4294967295ms") == TimeLimit(milliseconds: UInt32.max))
        #expect(TimeLimit.parse("4294967s") == TimeLimit(milliseconds: 4_294_967_000))
        for bad in ["50", "ms", "s", "1.5s", "-1s", "4294967296ms", "4294968s", "5 s", "5m", ""] {
            #expect(TimeLimit.parse(bad) == nil, "\(bad)")
        }
        #expect(TimeLimit(milliseconds: 50).description == "50ms")
        #expect(TimeLimit(milliseconds: 1000).description == "1s")
        #expect(TimeLimit(milliseconds: 1500).description == "1500ms")
        #expect(TimeLimit.unlimited.description == "0")
    }

    @Test("an input's deadline: the line time limit, or what is left of the message's when that is less")
    func inputDeadline() {
        let line = TimeLimit(milliseconds: 50), whole = TimeLimit(milliseconds: 1000)
        func deadline(_ line: TimeLimit, _ whole: TimeLimit, spent: UInt64) -> String? {
            MatchDeadline.forInput(startingAt: 7, lineTimeLimit: line, messageTimeLimit: whole, messageTimeSpent: spent)
                .map { "\($0.nanoseconds - 7) \($0.reason)" }
        }
        #expect(deadline(line, whole, spent: 0) == "50000000 line time limit exceeded (50ms)")
        #expect(deadline(line, whole, spent: 950_000_000) == "50000000 line time limit exceeded (50ms)")
        #expect(deadline(line, whole, spent: 980_000_000) == "20000000 message time limit exceeded (1s)")
        #expect(deadline(line, whole, spent: 2_000_000_000) == "0 message time limit exceeded (1s)")
        #expect(deadline(.unlimited, whole, spent: 400_000_000) == "600000000 message time limit exceeded (1s)")
        #expect(deadline(line, .unlimited, spent: 2_000_000_000) == "50000000 line time limit exceeded (50ms)")
        #expect(deadline(.unlimited, .unlimited, spent: 0) == nil)
    }

    @Test func defaultsAndOptions() throws {
        let defaults = try RuleSetLoader.parse(text: "", file: "t.conf").options
        #expect(defaults.limits.lineTimeLimit == TimeLimit(milliseconds: 50))
        #expect(defaults.messageTimeLimit == TimeLimit(milliseconds: 1000))
        let set = try RuleSetLoader.parse(text: "set line-time-limit 20ms\nSET Message-Time-Limit 3s\n", file: "t.conf").options
        #expect(set.limits.lineTimeLimit == TimeLimit(milliseconds: 20))
        #expect(set.messageTimeLimit == TimeLimit(milliseconds: 3000))
        let off = try RuleSetLoader.parse(text: "set line-time-limit 0\nset message-time-limit 0\n", file: "t.conf").options
        #expect(off.limits.lineTimeLimit.isUnlimited && off.messageTimeLimit.isUnlimited)
    }

    @Test func badValues() {
        let tail = "expected milliseconds or seconds such as 50ms or 2s, or 0 for no limit"
        #expect(diagnostic("set line-time-limit 50") == "r.conf:1:21: bad time '50' for line-time-limit, \(tail)")
        #expect(diagnostic("set message-time-limit 1.5s") == "r.conf:1:24: bad time '1.5s' for message-time-limit, \(tail)")
        #expect(diagnostic("set line-time-limit") == "r.conf:1:20: expected a value for line-time-limit")
    }

    @Test("one input's rules stop at the line time limit: the rule that ran past it is logged once, the next line gets a fresh budget")
    func lineTimeLimit() throws {
        let rules = "body /^spam$/ reject\n" + String(repeating: "body /(a+)+$/ reject\n", count: 100)
        let (evaluator, hits) = try recordingEvaluator(rules)
        let start = threadCPUSeconds()
        let decision = send(evaluator, [slowLine, Array("spam".utf8)])
        #expect(threadCPUSeconds() - start < 1)
        #expect(decision.verdict == .reject && decision.rule?.location.line == 1)
        #expect(decision.matchedInput?.messageLine == 4)
        #expect(hits().count == 1)
        #expect(hits().first?.hasSuffix(": line time limit exceeded (50ms)") == true)
    }

    @Test("fail-closed: the line time limit tempfails the message")
    func lineTimeLimitFailClosed() throws {
        let rules = "set fail-closed on\n" + String(repeating: "body /(a+)+$/ reject\n", count: 100)
        let (evaluator, hits) = try recordingEvaluator(rules)
        let decision = send(evaluator, [slowLine, Array("spam".utf8)])
        #expect(decision.verdict == .tempfail && decision.reply == DefaultReplies.evaluationFailure && decision.rule == nil)
        #expect(decision.reason?.hasPrefix("t.conf:") == true)
        #expect(decision.reason?.hasSuffix(": line time limit exceeded (50ms), fail-closed") == true)
        #expect(hits().count == 1)
    }

    @Test("an envelope input has the line time limit too")
    func envelopeLineTimeLimit() throws {
        let rules = "set fail-closed on\n" + String(repeating: "mail /(a+)+$/ reject\n", count: 100)
        let (evaluator, hits) = try recordingEvaluator(rules)
        let decision = evaluator.mail(String(decoding: slowLine, as: UTF8.self))
        #expect(decision.verdict == .tempfail)
        #expect(decision.reason?.hasSuffix(": line time limit exceeded (50ms), fail-closed") == true)
        #expect(hits().count == 1)
        #expect(evaluator.mail("a@example.org").isAccept)
    }

    @Test("the message time limit: logged once, the rest of the message is not scanned, the next message starts afresh")
    func messageTimeLimit() throws {
        let rules = "set line-time-limit 10s\nset message-time-limit 200ms\nbody /^spam$/ reject\nbody /(a+)+$/ reject\n"
        let (evaluator, hits) = try recordingEvaluator(rules)
        let start = threadCPUSeconds()
        let decision = send(evaluator, Array(repeating: slowLine, count: 50) + [Array("spam".utf8)])
        #expect(threadCPUSeconds() - start < 1.5)
        #expect(decision == .accept)
        #expect(hits() == ["4: message time limit exceeded (200ms)"])
        #expect(send(evaluator, [Array("spam".utf8)]).verdict == .reject)
    }

    @Test("fail-closed: the message time limit tempfails the message")
    func messageTimeLimitFailClosed() throws {
        let rules = "set fail-closed on\nset line-time-limit 10s\nset message-time-limit 200ms\nbody /(a+)+$/ reject\n"
        let (evaluator, hits) = try recordingEvaluator(rules)
        let decision = send(evaluator, Array(repeating: slowLine, count: 50))
        #expect(decision.verdict == .tempfail && decision.reply == DefaultReplies.evaluationFailure)
        #expect(decision.reason == "t.conf:4: message time limit exceeded (200ms), fail-closed")
        #expect(hits() == ["4: message time limit exceeded (200ms)"])
    }
}

@Suite("Long subjects: searched in slices of start positions under a deadline")
struct SlicedSearchTests {
    let scratch: MatchScratch = {
        let scratch = MatchScratch()
        scratch.deadline = MatchDeadline(nanoseconds: .max, source: .line(TimeLimit(milliseconds: 50)), budget: 50_000_000)
        return scratch
    }()

    /// `length` bytes of `x` with `text` written at `offset`.
    func subject(_ length: Int, _ text: String, at offset: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: length)
        bytes.replaceSubrange(offset..<offset + text.utf8.count, with: Array(text.utf8))
        return bytes
    }

    @Test("matches begin anywhere: at slice edges, across them, at the very end; lookbehind and \\b see across")
    func sameMatchesAsOneSearch() throws {
        let slice = PCRE2Regex.startPositionsPerSlice
        let length = 3 * slice
        let cases: [(pattern: String, text: String, offset: Int)] = [
            ("needle", "needle", 0), ("needle", "needle", slice - 1), ("needle", "needle", slice - 3),
            ("needle", "needle", slice), ("needle", "needle", length - 6),
            ("(?<=a)b", "ab", slice - 1), ("\\bword\\b", " word ", 2 * slice - 1), ("y{5}z", "yyyyyz", slice - 2),
        ]
        for item in cases {
            let regex = try PCRE2Regex(pattern: item.pattern, flags: [])
            #expect(regex.matches(subject(length, item.text, at: item.offset), scratch: scratch) == .match, "\(item)")
            #expect(regex.matches(subject(length, "", at: 0), scratch: scratch) == .noMatch, "\(item)")
        }
        // An empty match at the very end, when the length is a multiple of the slice.
        #expect(try PCRE2Regex(pattern: "q*$", flags: []).matches(subject(length, "", at: 0), scratch: scratch) == .match)
        #expect(try PCRE2Regex(pattern: "(?<=x)$", flags: []).matches(subject(length, "", at: 0), scratch: scratch) == .match)
        let captured = try PCRE2Regex(pattern: "n(ee)dle", flags: []).captures(in: subject(length, "needle", at: slice + 7), scratch: scratch)
        #expect(captured == .match([slice + 7..<slice + 13, slice + 8..<slice + 10]))
    }

    @Test("anchored patterns, \\G and (*VERB)s are searched in one call")
    func notSliced() throws {
        #expect(try PCRE2Regex(pattern: "^x", flags: []).slicedCode.code == nil)
        #expect(try PCRE2Regex(pattern: "\\Gx", flags: []).slicedCode.code == nil)
        #expect(try PCRE2Regex(pattern: "a(*COMMIT)b", flags: []).slicedCode.code == nil)
        #expect(try PCRE2Regex(pattern: "needle", flags: []).slicedCode.code != nil)
        // (*COMMIT) ends the whole search at its first failure; slices would search on.
        let committed = try PCRE2Regex(pattern: "a(*COMMIT)b", flags: [])
        let text = subject(2 * PCRE2Regex.startPositionsPerSlice, "ac", at: 0) + Array("ab".utf8)
        #expect(committed.matches(text, scratch: scratch) == .noMatch)
    }

    @Test("a search still without a match when the deadline has passed reports the deadline; a match found is a match")
    func deadlinePassed() throws {
        let scratch = MatchScratch()
        scratch.deadline = MatchDeadline(nanoseconds: 0, source: .message(TimeLimit(milliseconds: 1000)), budget: 1_000_000_000)
        let regex = try PCRE2Regex(pattern: "needle", flags: [])
        let long = subject(3 * PCRE2Regex.startPositionsPerSlice, "", at: 0)
        #expect(regex.matches(long, scratch: scratch) == .limitExceeded("message time limit exceeded (1s)"))
        #expect(regex.matches(Array("short".utf8), scratch: scratch) == .limitExceeded("message time limit exceeded (1s)"))
        #expect(regex.matches(subject(3 * PCRE2Regex.startPositionsPerSlice, "needle", at: 10), scratch: scratch) == .match)
        scratch.deadline = nil
        #expect(regex.matches(long, scratch: scratch) == .noMatch)
    }
}

@Suite("Time limits: a search preempted past its deadline is given its budget once more")
struct DeadlineRenewalTests {
    let limit = TimeLimit(milliseconds: 50)

    @Test("a cheap search that ends past the input's deadline (a descheduled thread) gets its real result")
    func preempted() throws {
        let regex = try PCRE2Regex(pattern: "needle", flags: [])
        let scratch = MatchScratch()
        // Set as the evaluator sets it, already passed: what a thread descheduled for longer
        // than the limit in the middle of the search finds when it runs again.
        scratch.setDeadline(MatchDeadline(nanoseconds: 0, source: .line(limit), budget: limit.nanoseconds))
        #expect(regex.matches(Array("a short line".utf8), scratch: scratch) == .noMatch)
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 3 * PCRE2Regex.startPositionsPerSlice)
        scratch.setDeadline(MatchDeadline(nanoseconds: 0, source: .line(limit), budget: limit.nanoseconds))
        #expect(regex.matches(long, scratch: scratch) == .noMatch)
    }

    @Test("once per input, line limits only: an overrun of the renewed budget is reported, and so is the next one")
    func once() throws {
        let regex = try PCRE2Regex(pattern: "needle", flags: [])
        let scratch = MatchScratch()
        // A budget of nothing: the renewed deadline has passed as soon as it is set, as for
        // a regex that really takes longer than its limit.
        scratch.setDeadline(MatchDeadline(nanoseconds: 0, source: .line(limit), budget: 0))
        #expect(regex.matches(Array("a short line".utf8), scratch: scratch) == .limitExceeded("line time limit exceeded (50ms)"))
        #expect(regex.matches(Array("the next rule".utf8), scratch: scratch) == .limitExceeded("line time limit exceeded (50ms)"))
        // A deadline set by the message limit is not renewed: the message's time is a total.
        scratch.setDeadline(MatchDeadline(nanoseconds: 0, source: .message(TimeLimit(milliseconds: 200)), budget: 200_000_000))
        #expect(regex.matches(Array("a message line".utf8), scratch: scratch) == .limitExceeded("message time limit exceeded (200ms)"))
        // The next input gets its own renewal.
        scratch.setDeadline(MatchDeadline(nanoseconds: 0, source: .line(limit), budget: limit.nanoseconds))
        #expect(regex.matches(Array("another input".utf8), scratch: scratch) == .noMatch)
    }
}

@Suite("Time limits: an input's clock starts at its first regex search")
struct LazyInputDeadlineTests {
    let limit = TimeLimit(milliseconds: 50)

    @Test("no deadline and no time spent until a regex runs; then the input's deadline, and none after its end")
    func startsAtFirstSearch() throws {
        let scratch = MatchScratch()
        scratch.beginInput(lineTimeLimit: limit, messageTimeLimit: TimeLimit(milliseconds: 1000), messageTimeSpent: 980_000_000)
        #expect(scratch.deadline == nil)
        #expect(scratch.endInput() == 0)
        scratch.beginInput(lineTimeLimit: limit, messageTimeLimit: TimeLimit(milliseconds: 1000), messageTimeSpent: 980_000_000)
        #expect(try PCRE2Regex(pattern: "needle", flags: []).matches(Array("a line".utf8), scratch: scratch) == .noMatch)
        // 20 ms were left of the message: the message limit sets the deadline, not the line's.
        let deadline = try #require(scratch.deadline)
        guard case .message = deadline.source else {
            Issue.record("the deadline came from \(deadline.source)")
            return
        }
        #expect(deadline.budget == 20_000_000)
        _ = scratch.endInput()
        #expect(scratch.deadline == nil)
    }

    @Test("a catastrophic search counts its time against the message")
    func searchTimeCounts() throws {
        let scratch = MatchScratch()
        scratch.beginInput(lineTimeLimit: TimeLimit(milliseconds: 5), messageTimeLimit: .unlimited, messageTimeSpent: 0)
        let slow = try PCRE2Regex(pattern: "(a+)+$", flags: [])
        // About 30 ms of searching, checked against the 5 ms deadline between slices.
        #expect(slow.matches(slowLine, scratch: scratch) == .limitExceeded("line time limit exceeded (5ms)"))
        #expect(scratch.endInput() >= 5_000_000)
    }
}
