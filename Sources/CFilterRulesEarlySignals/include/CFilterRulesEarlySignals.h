#ifndef C_FILTER_RULES_EARLY_SIGNALS_H
#define C_FILTER_RULES_EARLY_SIGNALS_H

/// Returns 1 when the constructor of this library has blocked SIGHUP, SIGUSR1, SIGTERM and
/// SIGINT at program load, before the Swift runtime starts (calling it also makes sure the
/// linker keeps the constructor).
int cfilterrules_early_signals_blocked(void);

#endif
