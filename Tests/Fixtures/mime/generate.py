#!/usr/bin/env python3
"""Writes the MIME corpus the decoding tests read, with Python's own email package (not our
code), so the expectations are an independent oracle. Run it from this directory; it writes
the .eml files and expected.json, and checks each message with Python's parser.

For each message, expected.json holds:
  header      decoded text that some header must show (after RFC 2047 decoding)
  body        decoded text that some line of the text parts must show
  attachment  the parts' file names, decoded, in order
  mimetype    every part's content type, in the order Python's walk() visits them
  raw         chunks of the message as it is on the wire (encoded): dataline rules see
              them, body rules must not (they are base64, quoted-printable or RFC 2047)
"""
import json
from email import policy
from email.charset import Charset, QP, BASE64
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.parser import BytesParser

corpus = {}


def encoded_lines(message_bytes, payload):
    """The first line of an encoded payload as the message holds it."""
    first = payload.strip().splitlines()[0]
    assert first.encode() in message_bytes, first
    return first


def subject_word(data):
    """The encoded text of the message's (first) Subject's first encoded-word, as written."""
    line = next(l for l in data.split(b"\n") if l.startswith(b"Subject:"))
    start = line.index(b"=?")
    text = line[start:].split(b"?")[3]
    return text[:16].decode()


def save(name, message, header, body, raw, crlf=True, raw_subject=False):
    linesep = "\r\n" if crlf else "\n"
    base = policy.default if isinstance(message, EmailMessage) else policy.compat32
    data = message.as_bytes(policy=base.clone(linesep=linesep))
    if raw_subject:
        raw = raw + [subject_word(data)]
    with open(name, "wb") as f:
        f.write(data)
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    # Python's parser is the oracle: what the rules must see is what it decodes.
    headers_text = [str(value) for _, value in parsed.items()]
    for part in parsed.walk():
        if part is not parsed:
            headers_text += [str(value) for _, value in part.items()]
    for text in header:
        assert any(text in h for h in headers_text), (name, text)
    texts = [part.get_content() for part in parsed.walk() if part.get_content_maintype() == "text"]
    for text in body:
        assert any(text in t for t in texts), (name, text)
    for chunk in raw:
        assert chunk.encode() in data, (name, chunk)
        assert not any(chunk in t for t in texts), (name, chunk)
    corpus[name] = {
        "header": header,
        "body": body,
        "attachment": [p.get_filename() for p in parsed.walk() if p.get_filename()],
        "mimetype": [p.get_content_type() for p in parsed.walk()],
        "raw": raw,
    }


# 1. A base64 UTF-8 body and a B-encoded Subject (compat32 encodes UTF-8 both ways).
prize = "Congratulations, you have won!\nClaim your prize at http://bit.ly/prize-now today.\n"
m = MIMEText(prize, "plain", "utf-8")
m["Subject"] = Header("Félicitations: you have won a prize", "utf-8")
m["From"] = "winner@lottery.example"
m["To"] = "bob@example.org"
save("base64-subject.eml", m, header=["Félicitations: you have won a prize"],
     body=["you have won!", "http://bit.ly/prize-now"],
     raw=[encoded_lines(m.as_bytes(), m.get_payload())], raw_subject=True)

# 2. Quoted-printable ISO-8859-1 with soft line breaks (a line longer than 76 characters).
latin = Charset("iso-8859-1")
latin.body_encoding = QP
long_line = "Sehr geehrter Kunde, Ihre Rückerstattung über 1.250 € wartet – " * 3
m = MIMENonMultipart("text", "plain")
m.set_payload(("Grüße aus München\n" + long_line.replace("€", "EUR").replace("–", "-") + "\n"), charset=latin)
m["Subject"] = Header("Rückerstattung für Sie", "iso-8859-1")
m["From"] = "bank@refund.example"
save("qp-latin1.eml", m, header=["Rückerstattung für Sie"], body=["Grüße aus München", "Rückerstattung über 1.250 EUR wartet"],
     raw=["Gr=FC=DFe aus M=FCnchen"], raw_subject=True)

# 3. multipart/alternative: text and HTML, both base64 and quoted-printable, policy.default.
m = EmailMessage()
m["Subject"] = "Your account is suspended – verify now"
m["From"] = "security@paypa1.example"
m["To"] = "bob@example.org"
m.set_content("Dear customer,\nverify your account at http://paypa1.example/login\n", cte="base64")
m.add_alternative("<html><body><p>Dear <b>customer</b>,</p><p>Please <a href=\"http://paypa1.example/login\">"
                  "verify&nbsp;your account</a> within 24 hours.</p></body></html>\n",
                  subtype="html", cte="quoted-printable")
text_part, html_part = m.get_payload()
save("alternative.eml", m, header=["Your account is suspended – verify now"],
     body=["verify your account at http://paypa1.example/login", "within 24 hours."],
     raw=[encoded_lines(m.as_bytes(), text_part.get_payload())])
corpus["alternative.eml"]["html_text"] = ["Dear customer,", "verify your account"]
corpus["alternative.eml"]["html_tags"] = ["<b>", "href="]

# 4. Attachments: a long non-ASCII file name (RFC 2231 continuations from policy.default),
#    an RFC 2047 name in Content-Type as older clients write it, and a zip.
m = EmailMessage()
m["Subject"] = "Rechnung"
m["From"] = "billing@invoice.example"
m.set_content("Anbei die Rechnung.\n")
long_name = "Rechnung März 2026 – Zahlungserinnerung und Mahnung für Kundennummer 0012345.pdf.exe"
m.add_attachment(b"MZ\x90\x00" * 40, maintype="application", subtype="x-msdownload", filename=long_name)
m.add_attachment(b"PK\x03\x04" * 40, maintype="application", subtype="zip", filename="Übersicht.zip")
save("attachments.eml", m, header=["Rechnung"], body=["Anbei die Rechnung."], raw=["TVqQAE1akABN"])

# 5. A forwarded message (message/rfc822) whose own body is base64 and Subject Q-encoded.
inner = MIMEText("Your parcel is waiting: pay the customs fee at http://parcel.example/fee\n", "plain", "utf-8")
qp_utf8 = Charset("utf-8")
qp_utf8.header_encoding = QP
inner["Subject"] = Header("Paket wartet – Zollgebühr", qp_utf8)
inner["From"] = "dhl@parcel.example"
outer = MIMEMultipart("mixed")
outer["Subject"] = "Fwd: see below"
outer["From"] = "friend@example.net"
outer.attach(MIMEText("Look at this one.\n", "plain", "us-ascii"))
outer.attach(MIMEMessage(inner))
save("forwarded.eml", outer, header=["Paket wartet – Zollgebühr", "Fwd: see below"],
     body=["Look at this one.", "pay the customs fee at http://parcel.example/fee"],
     raw=[encoded_lines(outer.as_bytes(), inner.get_payload()), "=?utf-8?q?Paket_wartet"])

# 6. Japanese: ISO-2022-JP (7bit, shift state) Subject and body, as Japanese clients send.
m = MIMEText("当選おめでとうございます。\n賞金を受け取る\n", "plain", "iso-2022-jp")
m["Subject"] = Header("当選のお知らせ", "iso-2022-jp")
m["From"] = "info@prize.example.jp"
save("iso-2022-jp.eml", m, header=["当選のお知らせ"], body=["当選おめでとうございます。", "賞金を受け取る"],
     raw=[], raw_subject=True)

# 7. KOI8-R base64, nested three deep: mixed > alternative > related, with an inline image.
koi = Charset("koi8-r")
koi.body_encoding = BASE64
text = MIMENonMultipart("text", "plain")
text.set_payload("Выигрыш ждёт вас\n", charset=koi)
html = MIMENonMultipart("text", "html")
html.set_payload("<p>Выигрыш <i>ждёт</i> вас</p>\n", charset=koi)
related = MIMEMultipart("related")
related.attach(html)
image = MIMEApplication(b"\x89PNG\r\n" * 20, "octet-stream")
image.replace_header("Content-Type", "image/png")
image.add_header("Content-Disposition", "inline", filename="logo.png")
related.attach(image)
alternative = MIMEMultipart("alternative")
alternative.attach(text)
alternative.attach(related)
m = MIMEMultipart("mixed")
m["Subject"] = Header("Выигрыш", "koi8-r")
m["From"] = "lotto@example.ru"
m.attach(alternative)
save("koi8r-nested.eml", m, header=["Выигрыш"], body=["Выигрыш ждёт вас"],
     raw=[encoded_lines(m.as_bytes(), text.get_payload())], crlf=False, raw_subject=True)

# 8. File names as older clients write them: an RFC 2047 encoded-word inside the quoted
#    name= and filename= parameters (Header.encode() writes them).
encoded_name = Header("Gewinnbestätigung.pdf.scr", "utf-8").encode()
m = MIMEMultipart("mixed")
m["Subject"] = "Ihr Gewinn"
m.attach(MIMEText("Siehe Anhang.\n", "plain", "us-ascii"))
attachment = MIMEApplication(b"MZ" * 30, "octet-stream")
attachment.set_param("name", encoded_name)
attachment.add_header("Content-Disposition", "attachment", filename=encoded_name)
m.attach(attachment)
save("encoded-word-names.eml", m, header=["Ihr Gewinn"], body=["Siehe Anhang."], raw=[encoded_name[10:26]])

with open("expected.json", "w", encoding="utf-8") as f:
    json.dump(corpus, f, ensure_ascii=False, indent=2, sort_keys=True)
    f.write("\n")
for name, expected in corpus.items():
    print(name, expected["mimetype"], expected["attachment"])
