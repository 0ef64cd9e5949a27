// filter-rules: a rule-driven filter for OpenSMTPD.
//
// The daemon signals are blocked before anything else runs (by a C constructor at program
// load, before the Swift runtime and any thread), so an early SIGHUP is held pending
// instead of killing the filter and with it smtpd.
import ArgumentParser
import CFilterRulesEarlySignals
import CommandLineSupport
import FilterRulesEngine
#if canImport(Glibc)
    import Glibc
#endif

// The constructor has blocked them already; block here only if it could not (calling it
// also keeps the constructor linked).
if cfilterrules_early_signals_blocked() == 0 { SignalWatcher.blockDaemonSignals() }

FilterRulesCommand.runExitingTwoOnUsageErrors()
