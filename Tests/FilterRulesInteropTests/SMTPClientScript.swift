/// The SMTP client the tests drive: Python's `smtplib`, one session per run. It reads a
/// JSON plan on stdin and prints a JSON transcript: the server's reply at each stage.
///
/// The session stops at the first reply of 400 or more (then QUIT is tried). The message is
/// sent as given (LF line ends become CRLF, lines starting with "." are dot-stuffed), so the
/// test decides every byte of it. `connect_after`, `greeted` and `proceed_after` are the
/// marker files of a `SessionGate`.
enum SMTPClientScript {
    /// The program, written into the run's directory.
    static let source = #"""
        import base64, json, os, smtplib, sys, time

        plan = json.load(sys.stdin)
        steps = []
        result = {"steps": steps, "error": None}

        def record(stage, reply):
            code, text = reply
            steps.append({"stage": stage, "code": code, "text": text.decode("utf-8", "replace"),
                          "at": round(time.time() - started, 3)})
            return code < 400

        def wait_for(marker):
            end = time.time() + plan["timeout"]
            while marker and not os.path.exists(marker) and time.time() < end:
                time.sleep(0.005)

        def mark(marker):
            if marker:
                open(marker, "w").close()

        wait_for(plan.get("connect_after"))
        started = time.time()
        client = smtplib.SMTP(timeout=plan["timeout"])
        try:
            ok = record("connect", client.connect("127.0.0.1", plan["port"]))
            if ok and plan.get("greeting"):
                greet = client.ehlo if plan["greeting"] == "ehlo" else client.helo
                ok = record(plan["greeting"], greet(plan["name"]))
            mark(plan.get("greeted"))
            wait_for(plan.get("proceed_after"))
            if ok and plan.get("mail") is not None:
                ok = record("mail", client.mail(plan["mail"]))
            for rcpt in plan.get("rcpt") or []:
                if not ok:
                    break
                ok = record("rcpt", client.rcpt(rcpt))
            if ok and plan.get("message") is not None:
                ok = record("data", client.docmd("DATA"))
                if ok:
                    lines = base64.b64decode(plan["message"]).split(b"\n")
                    if lines and lines[-1] == b"":
                        lines.pop()
                    wire = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines)
                    client.send(wire + b".\r\n")
                    record("message", client.getreply())
        except (smtplib.SMTPException, OSError) as error:
            result["error"] = "%s after %.1f s: %s" % (type(error).__name__, time.time() - started, error)
            mark(plan.get("greeted"))
        try:
            record("quit", client.docmd("QUIT"))
        except (smtplib.SMTPException, OSError):
            pass
        client.close()
        json.dump(result, sys.stdout)
        """#
}
