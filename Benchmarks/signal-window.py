#!/usr/bin/env python3
# How soon after exec a SIGHUP stops killing filter-rules: starts BINARY as smtpd does
# (empty signal mask, default actions, a socket on stdin/stdout), sends SIGHUP after each
# delay (ms), and counts the runs that died of it.
# Usage: Benchmarks/signal-window.py BINARY RULES DELAY[,DELAY...] TRIALS
import os, sys, time, signal, socket
binary, rules = sys.argv[1], sys.argv[2]
delays = [float(x) for x in sys.argv[3].split(",")]
trials = int(sys.argv[4])
for d in delays:
    deaths = 0
    for _ in range(trials):
        a, b = socket.socketpair()
        pid = os.posix_spawn(binary, [binary, "--protocol", "line", rules], os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, b.fileno(), 0), (os.POSIX_SPAWN_DUP2, b.fileno(), 1),
                                           (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)],
                             setsigmask=[], setsigdef=[signal.SIGHUP])
        b.close()
        if d > 0: time.sleep(d / 1000)
        os.kill(pid, signal.SIGHUP)
        time.sleep(0.05)
        a.close()
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGHUP: deaths += 1
    print(f"{d} ms: {deaths}/{trials} killed by SIGHUP")
