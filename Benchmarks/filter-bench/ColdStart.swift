// The cold mode (issue 23): filter-rules started with 10,000 mixed dataline rules and an
// empty prefilter cache. How soon every rule is enforced by a prefilter stage (the literal
// stage, its first step) and the whole prefilter is built; data lines per second in the
// first 2 s after registration, while the regex parts are still compiled, and after; and
// whether any message hits a PCRE2 time limit meanwhile. The same filter with 0 rules,
// measured in the same run, is the baseline.
import SMTPDTestDouble

/// The dataline rules of the cold and reload-one modes.
let coldRuleCount = 10_000
/// The window after registration measured while the prefilter may still be built.
let coldWindowSeconds = 2.0
/// The log line of a stage whose first step is live with regex parts still to build.
let firstStepLiveLine = "prefilter first step live for dataline"
/// The log line of a stage whose prefilter is built to the end.
let prefilterLiveLine = "prefilter live for dataline"
/// What the log line of a PCRE2 match that ran out of time contains.
let timeLimitLine = "time limit exceeded"

/// Runs the cold mode (the rules mode's options; `--seconds` is the length of each round
/// after the build).
func runColdBenchmark(_ options: RulesOptions) throws {
    try requireFilter(options.filter, product: "filter-rules")
    try RuleChecks.mixedTemplatesMatchTheirExamples()
    let lines = SampleMessage(targetBytes: benchmarkMessageBytes).wireLines
    let watched = [firstStepLiveLine, prefilterLiveLine]
    // The baseline first, alone on the machine: filter-rules with no rules (the data-line
    // phase registered all the same).
    let empty = try LineFilterStart.start(
        options.filter, rules: "# filter-bench: no rules\n", arguments: ["--content-phases", "always"], watching: watched)
    try empty.smtpd.report("link-connect", session: 1, parameters: "client.example|pass|192.0.2.7:40000|192.0.2.1:25")
    var baseline = LineCase(ruleCount: 0, smtpd: empty.smtpd, path: empty.rules.path, lines: lines, session: 1)
    let baselineEarly = try baseline.measureWindow(lineCount: lines.count, session: 1, from: empty.registered, seconds: coldWindowSeconds)

    let cold = try LineFilterStart.start(
        options.filter, rules: MixedRules.file(MixedRules.rules(count: coldRuleCount)), watching: watched)
    try cold.smtpd.report("link-connect", session: 1, parameters: "client.example|pass|192.0.2.7:40000|192.0.2.1:25")
    var rules = LineCase(ruleCount: coldRuleCount, smtpd: cold.smtpd, path: cold.rules.path, lines: lines, session: 1)
    let early = try rules.measureWindow(lineCount: lines.count, session: 1, from: cold.registered, seconds: coldWindowSeconds)
    let earlyMessages = rules.messages
    let built = try cold.log.wait(for: prefilterLiveLine, timeout: 900)
    // Whichever came first: without regex parts to build only the last line is logged.
    let firstStep = cold.log.occurrences(of: firstStepLiveLine).first ?? built
    // After the build, the two filters in turn, round after round, so that the machine's
    // drift touches both alike.
    for _ in 0..<lineRounds {
        try rules.measure(lineCount: lines.count, session: 1, seconds: options.secondsPerCase)
        try baseline.measure(lineCount: lines.count, session: 1, seconds: options.secondsPerCase)
    }
    let report = ColdReport(
        early: early, baselineEarly: baselineEarly, earlyMessages: earlyMessages,
        registered: seconds(cold.registered - cold.started), firstStep: seconds(firstStep - cold.started),
        built: seconds(built - cold.started), after: rules, baseline: baseline,
        overLimit: cold.logLines(containing: timeLimitLine), baselineOverLimit: empty.logLines(containing: timeLimitLine).count,
        firstStepLine: cold.logLines(containing: firstStepLiveLine).first.map(String.init),
        liveLine: cold.logLines(containing: prefilterLiveLine).first.map(String.init) ?? "")
    report.print(filter: options.filter, lineCount: lines.count, secondsPerRound: options.secondsPerCase)
}
