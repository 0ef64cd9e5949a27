// The reload-one mode (issue 23): filter-rules serves 10,000 mixed dataline rules, its
// prefilter built; the file is rewritten with one rule changed and the filter told with
// SIGHUP. From the signal on, a message whose line only the new rule matches is sent again
// and again, each in a session of its own (a session keeps the rules it began with), until
// the filter refuses one at commit: how long the new rule took to decide.
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

/// How many times each kind of change is measured.
let reloadOneRepeats = 3
/// The pause between two probe messages: a flood of sessions would take the CPU that the
/// reload needs (the machine may have 2 cores), which smtpd does not do; the times are
/// late by this much at most.
let reloadOneProbeInterval = 0.005
/// What the log line of a reload put in force begins with (the path is absolute).
let reloadedLine = "reloaded /"

/// Runs the reload-one mode.
func runReloadOneBenchmark(filter: String) throws {
    try requireFilter(filter, product: "filter-rules")
    try RuleChecks.mixedTemplatesMatchTheirExamples()
    guard !MixedRules.isLiteralLess(OneRuleChange.literalIndex), MixedRules.isLiteralLess(OneRuleChange.literalLessIndex) else {
        throw BenchmarkFailure("the changed rules are not of the kinds the table names")
    }
    var rules = MixedRules.rules(count: coldRuleCount)
    let served = try LineFilterStart.start(filter, rules: MixedRules.file(rules), watching: [prefilterLiveLine, reloadedLine])
    let built = try served.log.wait(for: prefilterLiveLine, timeout: 900)
    print("filter: \(filter)")
    print(
        "\(grouped(coldRuleCount)) mixed dataline rules, protocol 0.6, prefilter built after \(fixed(seconds(built - served.started), 2)) s "
            + "(empty cache); then \(reloadOneRepeats) reloads per kind, each with one rule changed: times from the SIGHUP; "
            + "a probe message every \(fixed(reloadOneProbeInterval * 1000, 0)) ms, each in a new session, until one is refused at commit")
    print("")
    print("| changed rule | run | new rule decided after | probe messages | \"reloaded\" logged after | prefilter built again after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    var session: UInt64 = 0x100
    var revision = 0
    for change in OneRuleChange.kinds {
        for run in 1...reloadOneRepeats {
            revision += 1
            let (rule, line) = change.make(revision)
            session += 1
            guard try probe(served.smtpd, session: session, line: line).hasSuffix("|proceed") else {
                throw BenchmarkFailure("a probe for the new rule was refused before the reload: \(line)")
            }
            rules[change.index] = rule
            try served.rules.write(MixedRules.file(rules))
            let reloads = served.log.occurrences(of: reloadedLine).count
            let builds = served.log.occurrences(of: prefilterLiveLine).count
            let signalled = ContinuousClock.now
            kill(served.process.pid, SIGHUP)
            var probes = 0
            while true {
                session += 1
                probes += 1
                let verdict = try probe(served.smtpd, session: session, line: line)
                // The changed rules reject with the default reply (554 at commit); a tempfail
                // (4xx) would not be theirs.
                if verdict.contains("|reject|5") { break }
                guard verdict.hasSuffix("|proceed"), seconds(ContinuousClock.now - signalled) < 60 else {
                    throw BenchmarkFailure("the new rule did not decide within 60 s of the SIGHUP (last answer: \(verdict))")
                }
                usleep(UInt32(reloadOneProbeInterval * 1e6))
            }
            let decided = seconds(ContinuousClock.now - signalled)
            // The refusal must be the changed rule's (line 1 of the file is a comment).
            try waitForStderr(
                served.process, "session \(LineDaemonDouble.hex(session)) dataline \(served.rules.path):\(change.index + 2) reject", timeout: 10)
            let reloaded = try served.log.wait(for: reloadedLine, occurrence: reloads + 1, timeout: 60)
            let rebuilt = try served.log.wait(for: prefilterLiveLine, occurrence: builds + 1, timeout: 900)
            print(
                "| \(change.name) | \(run) | \(fixed(decided, 3)) s | \(probes) | \(fixed(seconds(reloaded - signalled), 3)) s "
                    + "| \(fixed(seconds(rebuilt - signalled), 2)) s |")
        }
    }
    print("")
    let overLimit = served.logLines(containing: timeLimitLine)
    print("messages over the time limit: \(overLimit.count) log lines")
    for line in overLimit.prefix(5) { print("filter log: \(line)") }
    for line in served.logLines(containing: prefilterLiveLine) { print("filter log: \(ColdReport.message(String(line)))") }
}

/// Sends, in a new session `session`, a message of a header, a blank line and `line`, which
/// must come back byte for byte; the filter's answer at commit.
private func probe(_ smtpd: LineDaemonDouble, session: UInt64, line: String) throws -> String {
    try smtpd.report("link-connect", session: session, parameters: "client.example|pass|192.0.2.7:40000|192.0.2.1:25")
    let lines = [Array("Subject: probe".utf8), [], Array(line.utf8)]
    guard try smtpd.message(lines, session: session, timeout: 10) == lines + [[UInt8(ascii: ".")]] else {
        throw BenchmarkFailure("a probe message did not come back byte for byte")
    }
    let verdict = try smtpd.query("commit", session: session, timeout: 10)
    try smtpd.report("link-disconnect", session: session)
    return verdict
}

/// One kind of one-rule change the mode measures.
private struct OneRuleChange {
    /// What kind of rule changes, for the table.
    let name: String
    /// The position of the changed rule.
    let index: Int
    /// The rule's new text, and a line only it matches, for change number `revision`
    /// (each change makes a rule no earlier one had).
    let make: @Sendable (Int) -> (rule: String, line: String)

    /// A literal rule (its token replaced: the literal stage is rebuilt) and a literal-less
    /// one (its digit count replaced: one regex part is rebuilt, its rules tried with PCRE2 until then).
    static let kinds = [
        OneRuleChange(name: "literal rule 5,000 (new token)", index: literalIndex) { revision in
            let token = "zr05000r\(revision)xx"
            return (MixedRules.rule(literalIndex, token: token), MixedRules.matchingLine(literalIndex, token: token))
        },
        OneRuleChange(name: "literal-less rule 5,025 (new N)", index: literalLessIndex) { revision in
            let digits = MixedRules.literalLessDigits(coldRuleCount - 1) + revision
            return (MixedRules.literalLessRule(digits: digits), MixedRules.literalLessLine(digits: digits))
        },
    ]

    /// The changed rules (``MixedRules/isLiteralLess(_:)`` is false, then true).
    static let literalIndex = 5_000
    static let literalLessIndex = 5_025
}
