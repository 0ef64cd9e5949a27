// filter-bench: benchmarks of filter-rules and the filter library, a real filter process
// driven by the smtpd test double or the rules engine in process.
//
//   swift build -c release && .build/release/filter-bench --help
//
// lists the modes, one subcommand each (Commands/), with what each measures; `filter-bench
// MODE --help` shows a mode's options. Without a mode it runs the pipe mode. Usage errors
// exit 2, a failed check prints `filter-bench: FAILED: …` and exits 1.
import CommandLineSupport

FilterBench.runExitingTwoOnUsageErrors()
