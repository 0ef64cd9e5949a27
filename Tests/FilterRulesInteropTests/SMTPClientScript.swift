/// The SMTP client the tests drive: Python's `smtplib`, one session per run. It reads a
/// JSON plan on stdin and prints a JSON transcript: the server's reply at each stage.
///
/// `connect_at` and `proceed_at` (seconds since the epoch) hold it back: it connects no
/// earlier than `connect_at` and sends MAIL no earlier than `proceed_at`, so that many
/// clients can hold their sessions open and then go on together. The session stops at the first reply of 400 or more (then QUIT is tried). The message
/// is sent as given (LF line ends become CRLF, lines starting with "." are dot-stuffed),
/// so the test decides every byte of it.
enum SMTPClientScript {
    /// The program, written into the run's directory.
    static let source = #"""
        import base64, json, smtplib, sys, time

        plan = json.load(sys.stdin)
        steps = []
        result = {"steps": steps, "error": None}

        def record(stage, reply):
            code, text = reply
            steps.append({"stage": stage, "code": code, "text": text.decode("utf-8", "replace"),
                          "at": round(time.time() - started, 3)})
            return code < 400

        def wait_until(moment):
            if moment:
                time.sleep(max(0.0, min(moment - time.time(), 30.0)))

        wait_until(plan.get("connect_at"))
        started = time.time()
        client = smtplib.SMTP(timeout=plan["timeout"])
        try:
            ok = record("connect", client.connect("127.0.0.1", plan["port"]))
            if ok and plan.get("greeting"):
                greet = client.ehlo if plan["greeting"] == "ehlo" else client.helo
                ok = record(plan["greeting"], greet(plan["name"]))
            wait_until(plan.get("proceed_at"))
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
        try:
            record("quit", client.docmd("QUIT"))
        except (smtplib.SMTPException, OSError):
            pass
        client.close()
        json.dump(result, sys.stdout)
        """#
}
