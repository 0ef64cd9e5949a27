// filter-bench: throughput of a real filter process driven by the smtpd test double.
//
//   swift run -c release filter-bench [--filter PATH] [--queries N] [--megabytes N] [--quick]
//   swift run -c release filter-bench rules [--filter PATH] [--seconds S] [--quick]
//   swift run -c release filter-bench line [--filter PATH] [--seconds S] [--quick]
//   swift run -c release filter-bench prefilter [--filter PATH] [--seconds S] [--rules N,N...] [--quick]
//   swift run -c release filter-bench robust [--filter PATH] [--baseline PATH] [--sessions N] [--seconds S] [--quick]
//   swift run -c release filter-bench limits [--quick]
//   swift run -c release filter-bench compile [--quick]
//   swift run -c release filter-bench burst [--filter PATH]
//   swift run -c release filter-bench evaluate [--seconds S] [--rules N] [--prefilter] [--quick]
//   swift run -c release filter-bench hold [--filter PATH] [--seconds S] [--quick]
//   swift run -c release filter-bench conditions [--seconds S] [--quick]
//   swift run -c release filter-bench envelope [--filter PATH] [--seconds S] [--quick]
//   swift run -c release filter-bench reload [--filter PATH]
//   swift run -c release filter-bench reload-burst [--filter PATH] [--quick]
//   swift run -c release filter-bench mime [--seconds S] [--sessions N] [--quick]
//
// The default mode measures queries answered per second (pipelined, 100 sessions) and message
// bytes per second through the data pipe, with filter-example (a pass-through data-line filter).
// The rules mode measures data lines per second through `filter-rules serve` with 0, 10, 100
// and 1,000 dataline rules, and the in-process compile time of 1,000 and 10,000 rules.
// The line mode measures data lines per second through filter-rules on the line protocol of
// OpenSMTPD 6.6+ with 1, 10 and 100 dataline rules.
// The prefilter mode measures data lines per second with 0 to 10,000 dataline rules, the
// Vectorscan prefilter off and on, beside a plain Vectorscan scan; time to register and
// until the prefilter is live, cold and from the cache; resident memory.
// The robust mode measures HELO latency with 60,000 idle sessions, resident memory per idle
// session, and memory growth while the daemon does not read (before/after with --baseline).
// The limits mode measures, in process, the CPU time catastrophic body rules cost on crafted
// 95 KiB and 1 MiB lines and on messages of such lines, and which limits they hit.
// The evaluate mode measures message lines per second through the evaluator in process,
// with 10, 100 and 1,000 dataline rules.
// The hold mode measures data lines per second with and without a body add-header rule
// (held messages) and the resident memory of 100 sessions holding a 1 MiB message each.
// The envelope mode measures RCPT answer latency (p50, p99, largest) with 1,000 sessions and
// 1,000 rcpt rules, prefilter off and live.
// The reload mode measures the largest RCPT answer latency while 10,000 rules are reloaded.
// The reload-burst mode measures the CPU time of 100 SIGHUPs 100 ms apart with 10,000 rules
// (the file changed before each) against one reload, and that the last file is in force.
// The conditions mode measures, in process, MAIL queries per second against list files of 10
// and 100,000 entries, and RCPT queries per second with 100 plain against 100 combined rules.
// The mime mode measures, in process, lines per second of a 1 MiB base64 and quoted-printable
// message with 100 body rules (decoded) against 100 dataline rules (raw), and memory per session.
#if canImport(Glibc)
import Glibc
#endif

let words = CommandLine.arguments.dropFirst()
do {
    if words.first == "rules" {
        try runRulesBenchmark(RulesOptions(words.dropFirst()))
    } else if words.first == "compile" {
        try printCompileTimes(RulesOptions(words.dropFirst()))
    } else if words.first == "prefilter" {
        try runPrefilterBenchmark(RulesOptions(words.dropFirst()))
    } else if words.first == "line" {
        try runLineBenchmark(RulesOptions(words.dropFirst()))
    } else if words.first == "robust" {
        try runRobustBenchmark(RobustOptions(words.dropFirst()))
    } else if words.first == "evaluate" {
        try runEvaluatorBenchmark(EvaluateOptions(words.dropFirst()))
    } else if words.first == "conditions" {
        try runConditionBenchmark(EvaluateOptions(words.dropFirst()))
    } else if words.first == "reload" {
        try runReloadLatencyBenchmark(RulesOptions(words.dropFirst()))
    } else if words.first == "reload-burst" {
        try runReloadBurstBenchmark(RulesOptions(words.dropFirst()))
    } else if words.first == "burst" {
        try runBurstLatencyBenchmark(RulesOptions(words.dropFirst()))
    } else if words.first == "envelope" {
        try runEnvelopeLatencyBenchmark(RulesOptions(words.dropFirst()))
    } else if words.first == "hold" {
        try runHoldBenchmark(RulesOptions(words.dropFirst()))
    } else if words.first == "mime" {
        try runMIMEBenchmark(MIMEOptions(words.dropFirst()))
    } else if words.first == "limits" {
        try runLimitsBenchmark(LimitsOptions(words.dropFirst()))
    } else {
        try runPipeBenchmark(PipeOptions(words))
    }
} catch {
    print("filter-bench: FAILED: \(error)")
    exit(1)
}
