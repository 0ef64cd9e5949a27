/// The figures of one cold-mode run and their markdown table.
struct ColdReport {
    /// Data lines per second in the window after registration: the cold filter's, the 0-rule one's.
    var early: Double
    var baselineEarly: Double
    /// How many messages the cold filter passed in that window.
    var earlyMessages: Int
    /// Seconds from exec to registration, to the first step live (or the whole prefilter,
    /// whichever was logged first), to the whole prefilter built.
    var registered: Double
    var firstStep: Double
    var built: Double
    /// The rounds after the build: the cold filter's, the 0-rule one's.
    var after: LineCase
    var baseline: LineCase
    /// The log lines of the cold filter that say a match ran out of time; how many the 0-rule one logged.
    var overLimit: [Substring]
    var baselineOverLimit: Int
    /// The cold filter's log lines of its prefilter's first step (none when it had no
    /// regex parts to build) and of its end.
    var firstStepLine: String?
    var liveLine: String

    /// Prints the run's conditions, the table, the prefilter's log lines and the goals.
    func print(filter: String, lineCount: Int, secondsPerRound: Double) {
        let counts = Self.ruleCounts(in: liveLine)
        let afterRate = after.median, baselineRate = baseline.median
        Swift.print("filter: \(filter)")
        Swift.print(
            "message: \(grouped(lineCount)) lines, protocol 0.6; \(grouped(coldRuleCount)) mixed dataline rules "
                + "(\(grouped(coldRuleCount / MixedRules.literalLessEvery)) literal-less), empty prefilter cache; times from exec; "
                + "lines/s in the first \(fixed(coldWindowSeconds, 0)) s after registration, then \(lineRounds) interleaved rounds "
                + "of at least \(fixed(secondsPerRound, 1)) s, median shown")
        Swift.print("")
        Swift.print(
            "| dataline rules | registered | first step live | full build | literal / regex / PCRE2 rules | lines/s first 2 s | vs. 0 rules "
                + "| lines/s after the build | vs. 0 rules | messages over the time limit |")
        Swift.print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        Swift.print(
            "| 0 | – | – | – | – | \(grouped(Int(baselineEarly))) | 1.000 | \(grouped(Int(baselineRate))) | 1.000 "
                + "| \(baselineOverLimit) log lines |")
        Swift.print(
            "| \(grouped(coldRuleCount)) | \(fixed(registered, 3)) s | \(fixed(firstStep, 3)) s | \(fixed(built, 2)) s "
                + "| \(counts.map { "\(grouped($0.literal)) / \(grouped($0.regex)) / \(grouped($0.pcre2))" } ?? "?") "
                + "| \(grouped(Int(early))) | \(fixed(early / baselineEarly, 3)) | \(grouped(Int(afterRate))) "
                + "| \(fixed(afterRate / baselineRate, 3)) | \(overLimit.count) log lines |")
        Swift.print("")
        Swift.print(
            "\(earlyMessages) messages in the first \(fixed(coldWindowSeconds, 0)) s, \(after.messages - earlyMessages) after the build, "
                + "every one echoed byte for byte and accepted; rounds after the build: "
                + "\(Self.range(after.rates)) lines/s (0 rules: \(Self.range(baseline.rates)))")
        Swift.print("filter log: \(firstStepLine.map(Self.message) ?? "(no first-step line: no regex part to build)")")
        Swift.print("filter log: \(Self.message(liveLine))")
        for line in overLimit.prefix(5) { Swift.print("filter log: \(Self.message(String(line)))") }
        Swift.print("")
        let goals = [
            ("first step live < 1 s", firstStep < 1),
            ("first 2 s ≥ 0.25× the 0-rule filter", early / baselineEarly >= 0.25),
            ("after the build ≥ 0.5×", afterRate / baselineRate >= 0.5),
            ("no message over the time limit", overLimit.isEmpty),
        ]
        Swift.print("goals (issue 23): " + goals.map { "\($0.0): \($0.1 ? "met" : "NOT MET")" }.joined(separator: "; "))
    }

    /// The rule counts of a `prefilter live for dataline: N rules by their literals, M in
    /// Vectorscan regex databases, K always tried with PCRE2, …` line.
    static func ruleCounts(in line: String) -> (literal: Int, regex: Int, pcre2: Int)? {
        guard let colon = line.range(of: "dataline: ") else { return nil }
        let numbers = line[colon.upperBound...].split(separator: ", ").prefix(3).compactMap { Int($0.prefix { $0.isNumber }) }
        guard numbers.count == 3 else { return nil }
        return (numbers[0], numbers[1], numbers[2])
    }

    /// A log line from its `prefilter …` (or other) message on, without the logger's prefix.
    static func message(_ line: String) -> String {
        if let start = line.range(of: "prefilter ") { return String(line[start.lowerBound...]) }
        return line
    }

    /// `low–high` of some rates.
    static func range(_ rates: [Double]) -> String {
        guard let low = rates.min(), let high = rates.max() else { return "–" }
        return "\(grouped(Int(low)))–\(grouped(Int(high)))"
    }
}
