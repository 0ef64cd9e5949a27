// Blocks the daemon's signals as the program is loaded, before the Swift runtime and
// main.swift run: OpenSMTPD 6.6+ starts filters with SIGHUP at its default action, and a
// HUP that arrived before the signal thread exists would kill the filter and smtpd with it.
// The blocked signals stay pending until filter-rules' signal thread takes them.
#include <signal.h>
#include "CFilterRulesEarlySignals.h"

static int blocked;

__attribute__((constructor))
static void cfilterrules_block_signals_at_load(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    blocked = sigprocmask(SIG_BLOCK, &set, 0) == 0;
}

int cfilterrules_early_signals_blocked(void) {
    return blocked;
}
