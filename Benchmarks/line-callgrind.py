#!/usr/bin/env python3
# Instructions per message line of filter-rules on the line protocol (0.6), counted by
# callgrind: starts BINARY under `valgrind --tool=callgrind` as smtpd does (one non-blocking
# socket as stdin and stdout), with RULES dataline rules in the style of filter-bench's
# SpamRules (none matches), waits until the prefilter is live, then sends MESSAGES messages
# of about 256 KiB (data-line requests, commit, tx-reset), each only after the one before
# was answered, and checks that every line came back byte for byte. Run it twice, with 1
# and with N messages: the difference of the two totals over the lines of N - 1 messages is
# the cost of one line, start-up left out (both threads, the loop and the content worker).
# Usage: Benchmarks/line-callgrind.py BINARY RULES MESSAGES OUT [CACHE_DIR]
# (more callgrind options in $CALLGRIND_OPTIONS, e.g. --separate-threads=yes)
import os, random, signal, socket, subprocess, sys, tempfile, time

binary, rule_count, messages, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
cache = sys.argv[5] if len(sys.argv) > 5 else tempfile.mkdtemp()

templates = [
    r"dataline /buy cheap (?:viagra|cialis|levitra) online TOKEN/i reject",
    r'dataline /you have won \$[0-9,]+ in the TOKEN lottery/i reject 550 "5.7.1 Lottery spam"',
    r"dataline /https?:\/\/[a-z0-9.-]+\.TOKEN\.(?:ru|cn|top|xyz)\b/i reject",
    r"dataline /\bclaim your (?:free|exclusive) gift card TOKEN\b/ reject",
    r"dataline /^Subject: .*urgent wire transfer TOKEN/ tempfail",
    r"dataline /(?:dear|attention) (?:beneficiary|winner),? ref TOKEN/i reject",
    r"dataline /increase your (?:income|revenue) by [0-9]+% TOKEN/ reject",
    r"dataline /bitcoin wallet [13][a-km-zA-HJ-NP-Z1-9]{25,34} TOKEN/ disconnect",
    r"dataline /unsubscribe here: TOKEN@[a-z]+\.example/i reject",
    r'dataline /limited[ -]time offer.{0,20}TOKEN/i reject 554 "5.7.1 Offer rejected"',
    r"dataline /casino bonus code TOKEN[0-9]{2}/ reject",
    r'dataline /verify your (?:account|password) within [0-9]+ hours TOKEN/i tempfail 451 "4.7.1 Try later"',
]
rules_path = os.path.join(tempfile.mkdtemp(), "rules.conf")
with open(rules_path, "w") as f:
    f.write(f"# {rule_count} dataline rules\n")
    for i in range(rule_count):
        f.write(templates[i % len(templates)].replace("TOKEN", f"zq{i:05d}xx") + "\n")

# The message: headers, prose, a base64 attachment (about 256 KiB, deterministic).
rng = random.Random(0x5EEDF11E)
words = ("the meeting is moved to Thursday afternoon because several people from our team will be travelling and "
         "we need a decision on budget for next quarter please review attached report before then numbers include "
         "all regional offices except Berlin which sent figures late I think should discuss hiring plan as well").split()
lines = ["Received: from mail.example.org (mail.example.org [192.0.2.7])", "From: Alice <alice@example.org>",
         "To: Bob <bob@example.net>", "Subject: Quarterly report", "MIME-Version: 1.0",
         'Content-Type: multipart/mixed; boundary="b1"', "", "--b1", "Content-Type: text/plain; charset=utf-8", ""]
size = 0
while size < 128 << 10:
    line = ""
    while len(line) < 66:
        line += (" " if line else "") + rng.choice(words)
    lines.append(line)
    size += len(line) + 1
lines += ["", "--b1", "Content-Type: application/pdf", "Content-Transfer-Encoding: base64", ""]
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
while size < 256 << 10:
    lines.append("".join(rng.choice(alphabet) for _ in range(76)))
    size += 77
lines.append("--b1--")
session, token = "0123456789abcdef", "00000000000000a1"
request = "".join(f"filter|0.6|1764060000.000002|smtp-in|data-line|{session}|{token}|{l}\n" for l in lines + ["."])
answer = "".join(f"filter-dataline|{session}|{token}|{l}\n" for l in lines + ["."])

ours, theirs = socket.socketpair()
ours.setblocking(True)
theirs.setblocking(False)
stderr_path = out + ".stderr"
process = subprocess.Popen(
    ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *os.environ.get("CALLGRIND_OPTIONS", "").split(), binary, "--protocol", "line", rules_path,
     "-v", "--prefilter-cache", cache],
    stdin=theirs.fileno(), stdout=theirs.fileno(), stderr=open(stderr_path, "w"))
theirs.close()
file = ours.makefile("rwb", buffering=0)


def receive_until(text):
    data = b""
    while not data.endswith(text.encode()):
        chunk = ours.recv(1 << 20)
        if not chunk:
            sys.exit(f"the filter closed the channel; see {stderr_path}")
        data += chunk
    return data


ours.sendall(b"config|smtpd-version|6.8.0p2\nconfig|smtp-session-timeout|300\nconfig|subsystem|smtp-in\nconfig|ready\n")
receive_until("register|ready\n")
deadline = time.time() + 3600
while rule_count > 0 and "prefilter live for dataline" not in open(stderr_path).read():
    if time.time() > deadline or process.poll() is not None:
        sys.exit(f"the prefilter did not go live; see {stderr_path}")
    time.sleep(0.5)
ours.sendall(f"report|0.6|1764060000.000001|smtp-in|link-connect|{session}|client.example|pass|192.0.2.7:40000|192.0.2.1:25\n".encode())
for _ in range(messages):
    ours.sendall(request.encode())
    got = receive_until(answer[-60:])
    if got.decode() != answer:
        sys.exit("the message did not come back byte for byte")
    ours.sendall(f"filter|0.6|1764060000.000003|smtp-in|commit|{session}|{token}\n".encode())
    verdict = receive_until("\n").decode()
    if not verdict.endswith("|proceed\n"):
        sys.exit(f"commit was not accepted: {verdict}")
    ours.sendall(f"report|0.6|1764060000.000004|smtp-in|tx-reset|{session}|00000001\n".encode())
ours.shutdown(socket.SHUT_WR)
process.wait()
print(f"{len(lines) + 1} lines per message, {messages} messages")
