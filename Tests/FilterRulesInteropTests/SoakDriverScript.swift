/// The soak's load: one Python process with `workers` threads, each running SMTP sessions
/// with `smtplib` one after the other until `seconds` have passed (a session under way is
/// finished). Session n of worker w follows `kinds[(w + n) % len(kinds)]` and puts its
/// marker (`soak-wWW-NNNNN`) where the message template has the placeholder. It reads a JSON
/// plan on stdin and writes a JSON summary to the plan's `output` (aside first, then
/// renamed): every session's replies in the form of `SMTPTranscript`.
///
/// Each session goes as in `SMTPClientScript`: it stops at the first reply of 400 or more,
/// then QUIT is tried; a message is sent with CRLF line ends and dot-stuffed.
///
/// smtpd listens with a backlog of 5. When more handshakes complete than it has accepted,
/// the kernel drops the client's ACK: the client believes it is connected, but smtpd only
/// gets the connection with a later SYN-ACK retransmission, many seconds on. Clients that
/// finish together (after a pause of the server, say) and reconnect at once did that here:
/// some waited 20 s for a greeting, and smtpd logged their connection only when they gave
/// up. So at most `connecting` workers are between connect() and the greeting at any time;
/// worker w also starts w/workers of `ramp` seconds late.
enum SoakDriverScript {
    /// The program, written into the run's directory.
    static let source = #"""
        import json, os, smtplib, sys, threading, time

        plan = json.load(sys.stdin)
        placeholder = plan["placeholder"].encode()

        def wire(path):
            with open(path, "rb") as file:
                lines = file.read().split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()
            return b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines) + b".\r\n"

        messages = {name: wire(path) for name, path in plan["messages"].items()}
        kinds = plan["kinds"]
        connecting = threading.BoundedSemaphore(plan["connecting"])
        results = []
        started = time.time()
        end = started + plan["seconds"]

        def session(kind, marker):
            steps = []
            result = {"steps": steps, "error": None}
            begun = time.time()

            def record(stage, reply):
                code, text = reply
                steps.append({"stage": stage, "code": code, "text": text.decode("utf-8", "replace"),
                              "at": round(time.time() - begun, 3)})
                return code < 400

            client = smtplib.SMTP(timeout=plan["timeout"])
            try:
                with connecting:
                    ok = record("connect", client.connect("127.0.0.1", plan["port"]))
                if ok:
                    greet = client.ehlo if kind["greeting"] == "ehlo" else client.helo
                    ok = record(kind["greeting"], greet(kind["name"]))
                if ok:
                    ok = record("mail", client.mail(kind["mail"]))
                for rcpt in kind["rcpt"]:
                    if not ok:
                        break
                    ok = record("rcpt", client.rcpt(rcpt))
                if ok:
                    ok = record("data", client.docmd("DATA"))
                    if ok:
                        client.send(messages[kind["message"]].replace(placeholder, marker.encode()))
                        record("message", client.getreply())
            except (smtplib.SMTPException, OSError) as error:
                result["error"] = "%s after %.1f s: %s" % (type(error).__name__, time.time() - begun, error)
            try:
                record("quit", client.docmd("QUIT"))
            except (smtplib.SMTPException, OSError):
                pass
            client.close()
            return result

        def worker(index):
            time.sleep(index * plan["ramp"] / plan["workers"])
            number = 0
            while time.time() < end:
                kind = (index + number) % len(kinds)
                marker = "soak-w%02d-%05d" % (index, number)
                begun = time.time()
                try:
                    transcript = session(kinds[kind], marker)
                except Exception as error:  # a bug of this script: the session counts as failed
                    transcript = {"steps": [], "error": "%s: %s" % (type(error).__name__, error)}
                results.append({"worker": index, "kind": kind, "marker": marker,
                                "start": round(begun - started, 3), "seconds": round(time.time() - begun, 3),
                                "transcript": transcript})
                number += 1

        threads = [threading.Thread(target=worker, args=(index,)) for index in range(plan["workers"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        summary = {"workers": plan["workers"], "seconds": round(time.time() - started, 3), "sessions": results}
        with open(plan["output"] + ".tmp", "w") as file:
            json.dump(summary, file)
        os.rename(plan["output"] + ".tmp", plan["output"])
        """#
}
