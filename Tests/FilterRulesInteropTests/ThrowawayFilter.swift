/// A minimal line-protocol filter in Python, independent of filter-rules: it proves that
/// smtpd, the generated configuration, delivery and clean-up work. It rejects HELO/EHLO
/// `bad.example` with 550 and echoes every data line unchanged (protocol 0.5+ answer order).
enum ThrowawayFilter {
    /// The program, written into the run's directory and run by smtpd as its unprivileged user.
    static let source = #"""
        import sys

        def send(line):
            sys.stdout.buffer.write(line + b"\n")
            sys.stdout.buffer.flush()

        for raw in sys.stdin.buffer:
            fields = raw.rstrip(b"\n").split(b"|", 7)
            if fields[:2] == [b"config", b"ready"]:
                for phase in (b"helo", b"ehlo", b"data-line"):
                    send(b"register|filter|smtp-in|" + phase)
                send(b"register|ready")
            elif fields[0] == b"filter" and len(fields) == 8:
                phase, session, token, argument = fields[4], fields[5], fields[6], fields[7]
                if phase == b"data-line":
                    send(b"filter-dataline|" + session + b"|" + token + b"|" + argument)
                elif argument == b"bad.example":
                    send(b"filter-result|" + session + b"|" + token + b"|reject|550 5.7.1 throwaway filter says no")
                else:
                    send(b"filter-result|" + session + b"|" + token + b"|proceed")
        """#
}
