#!/usr/bin/env python3
"""Writes the saved messages the `filter-rules test --eml` tests read, with Python's own
email package (not our code), so the fixtures are an independent oracle:

  ham-lf.eml     LF line ends; Return-Path, From, To and Cc naming the envelope
  spam-crlf.eml  CRLF line ends, as policy.SMTP writes them; a folded Subject, a link line
  dot-lines.eml  LF; body lines starting with a dot and a line that is only a dot,
                 written as the message holds them (no dot-stuffing)

Run it from this directory; it prints, for each file, the 1-based line number of each line
the tests look for, as Python's parser finds them."""
from email.message import EmailMessage
from email import policy
from email.parser import BytesParser

def message(headers, body):
    msg = EmailMessage()
    for name, value in headers:
        msg[name] = value
    msg.set_content(body)
    return msg

ham = message([
    ("Return-Path", "<alice-bounces@partner.example>"),
    ("From", '"Alice Example" <alice@partner.example>'),
    ("To", "bob@example.org"),
    ("Cc", "Carol Example <carol@example.org>, bob@example.org"),
    ("Subject", "Lunch on Friday"),
    ("Date", "Wed, 25 Nov 2026 10:00:00 +0000"),
    ("Message-ID", "<ham-lf@partner.example>"),
], "Hi Bob,\n\nlunch on Friday at noon?\n\nAlice\n")

spam = message([
    ("From", "Deals <offers@deals.example.net>"),
    ("To", "undisclosed-recipients:;"),
    ("Subject", "Limited offer: you have been selected for an exclusive reward, act today before it is gone"),
    ("Date", "Wed, 25 Nov 2026 10:05:00 +0000"),
    ("Message-ID", "<spam-crlf@deals.example.net>"),
], "Hello,\n\nsee bit.ly/x now\n\nunsubscribe\n")

dots = message([
    ("From", "dots@example.net"),
    ("To", "bob@example.org"),
    ("Subject", "dots"),
    ("Date", "Wed, 25 Nov 2026 10:10:00 +0000"),
    ("Message-ID", "<dot-lines@example.net>"),
], "first\n.hidden\n..two dots\n.\nlast\n")

files = {
    "ham-lf.eml": ham.as_bytes(policy=policy.default),
    "spam-crlf.eml": spam.as_bytes(policy=policy.SMTP),
    "dot-lines.eml": dots.as_bytes(policy=policy.default),
}
for name, data in files.items():
    with open(name, "wb") as f:
        f.write(data)
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    lines = data.splitlines()
    print(name, "lines:", len(lines), "CRLF:", b"\r\n" in data,
          "to:", [a.addr_spec for a in parsed["to"].addresses] if parsed["to"] else None,
          "cc:", [a.addr_spec for a in parsed["cc"].addresses] if parsed["cc"] else None)
    for needle in (b"see bit.ly/x now", b"..two dots", b".", b".hidden", b"Subject:"):
        numbers = [i + 1 for i, line in enumerate(lines) if line == needle or (needle == b"Subject:" and line.startswith(needle))]
        if numbers:
            print("  ", needle.decode(), "at line", numbers)
