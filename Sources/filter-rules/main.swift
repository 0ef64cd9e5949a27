// filter-rules: a rule-driven filter for OpenSMTPD.
//
// The daemon signals are blocked before anything else runs (by a C constructor at program
// load, before the Swift runtime and any thread), so an early SIGHUP is held pending
// instead of killing the filter and with it smtpd.
import ArgumentParser
import CFilterRulesEarlySignals
import FilterRulesEngine
#if canImport(Glibc)
import Glibc
#endif

// The constructor has blocked them already; block here only if it could not (calling it
// also keeps the constructor linked).
if cfilterrules_early_signals_blocked() == 0 { SignalWatcher.blockDaemonSignals() }

do {
    var command = try FilterRulesCommand.parseAsRoot()
    try command.run()
} catch {
    if FilterRulesCommand.exitCode(for: error) == .validationFailure {
        // Usage errors exit 2 (as `test` documents), with ArgumentParser's message and usage.
        printToStandardError(FilterRulesCommand.fullMessage(for: error))
        exit(2)
    }
    FilterRulesCommand.exit(withError: error)
}
