import TestSupport
import Testing
@testable import MIMEStream

@Suite("MIME structure: parts, nesting, names, types")
struct StructureTests {
    @Test("a plain message: headers unfolded and decoded, body lines as they are, type text/plain by default")
    func plain() {
        let message = "Subject: =?UTF-8?B?eW91IGhhdmU=?=\r\n =?UTF-8?B?IHdvbg==?=\r\nFrom: a@b\r\n\r\nline one\r\nline two\r\n"
        let got = collect(message)
        #expect(got.headers == ["Subject: you have won", "From: a@b"])
        #expect(got.text == ["line one", "line two"])
        #expect(got.types == ["text/plain"])
        #expect(got.problems.isEmpty)
        // The header is reported at the line it starts on, the type at the blank line.
        #expect(got.lines.first.map { $0.1 } == 1)
    }

    @Test("multipart/alternative: a base64 text part and a quoted-printable HTML part, decoded; boundaries and preamble give no text")
    func alternative() {
        let body = base64Lines(Array("Claim your prize at http://bit.ly/win\nNow!\n".utf8), width: 20)
        let message = """
            Content-Type: multipart/alternative; boundary="b1"

            This is a preamble no client shows.
            --b1
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: base64

            \(body.joined(separator: "\n"))
            --b1
            Content-Type: text/html; charset="iso-8859-1"
            Content-Transfer-Encoding: quoted-printable

            <html><body><p>Gr=FC=DFe, you <b>ha=
            ve</b> won</p></body></html>
            --b1--
            epilogue
            """
        let got = collect(message)
        #expect(got.text == ["Claim your prize at http://bit.ly/win", "Now!", "", "Grüße, you have won", ""])
        #expect(got.types == ["multipart/alternative", "text/plain", "text/html"])
        #expect(got.problems.isEmpty)
        #expect(!got.text.contains { $0.contains("preamble") || $0.contains("epilogue") || $0.contains("b1") })
    }

    @Test("attachments: names from Content-Disposition (RFC 2231) and Content-Type (RFC 2047), types lowercased, bodies not text")
    func attachments() {
        let message = """
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: text/plain

            see attached
            --outer
            Content-Type: Application/PDF; name="=?UTF-8?Q?Rechnung_M=C3=A4rz.pdf?="
            Content-Disposition: attachment;
             filename*0*=UTF-8''Rechnung%20M%C3%A4rz;
             filename*1=".pdf"
            Content-Transfer-Encoding: base64

            JVBERi0xLjQK
            --outer
            Content-Type: application/octet-stream; name=invoice.exe
            Content-Transfer-Encoding: base64

            TVqQAAMAAAAEAAAA
            --outer--
            """
        let got = collect(message)
        #expect(got.names == ["Rechnung März.pdf", "invoice.exe"])
        #expect(got.types == ["multipart/mixed", "text/plain", "application/pdf", "application/octet-stream"])
        #expect(got.text == ["see attached"])
    }

    @Test("nested: message/rfc822 inside multipart/mixed inside multipart/alternative; the inner message's headers count")
    func nested() {
        let message = """
            Subject: outer
            Content-Type: multipart/mixed; boundary="a"

            --a
            Content-Type: multipart/alternative; boundary="b"

            --b
            Content-Type: text/plain

            inner text
            --b--
            --a
            Content-Type: message/rfc822

            Subject: =?utf-8?q?forwarded_prize?=
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            forwarded =E2=82=AC1000
            --a--
            """
        let got = collect(message)
        #expect(got.text == ["inner text", "forwarded €1000"])
        #expect(got.types == ["multipart/mixed", "multipart/alternative", "text/plain", "message/rfc822", "text/plain"])
        #expect(got.headers.contains("Subject: forwarded prize"))
        #expect(got.headers.contains("Content-Type: multipart/alternative; boundary=\"b\""))
    }

    @Test("multipart/digest: parts are messages by default")
    func digest() {
        let message = "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\ndigest text\n--d--\n"
        let got = collect(message)
        #expect(got.types == ["multipart/digest", "message/rfc822", "text/plain"])
        #expect(got.text == ["digest text"])
        #expect(got.headers.contains("Subject: one"))
    }

    @Test("without emitted headers, only the Content- headers are kept while read")
    func mimeHeadersOnly() {
        let message = "Subject: x\n \(String(repeating: "y", count: 1000))\nContent-Type: text/html\n\n<b>bold</b>\n"
        var stream = MIMEStream(emitsHeaders: false)
        var events: [MIMEEvent] = []
        var peak = 0
        for (index, line) in message.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            stream.feed(Array(line.utf8), number: index + 1) { event, _ in events.append(event) }
            peak = max(peak, stream.pendingHeaderStorage?.count ?? 0)
        }
        stream.finish(number: 0) { event, _ in events.append(event) }
        #expect(peak == "Content-Type: text/html".utf8.count)
        #expect(events.contains(.text(Array("bold".utf8))))
        #expect(!events.contains { if case .header = $0 { return true } else { return false } })
    }
}

@Suite("Malformed MIME: reported, scanned as text, never stuck")
struct MalformedTests {
    @Test("a multipart without a boundary is scanned as plain text")
    func noBoundary() {
        let got = collect("Content-Type: multipart/mixed\n\nsecret text\n--x\n")
        #expect(got.text == ["secret text", "--x"])
        #expect(got.problems.count == 1)
    }

    @Test("an unterminated inner multipart ends at the outer boundary; a missing closing boundary at the end")
    func unterminated() {
        let message = """
            Content-Type: multipart/mixed; boundary=o

            --o
            Content-Type: multipart/alternative; boundary=i

            --i

            inner
            --o

            after
            """
        let got = collect(message)
        #expect(got.text == ["inner", "after"])
        #expect(got.problems.count == 2)
    }

    @Test("a part whose headers have no blank line: the first line that is no header starts the body")
    func noBlankLine() {
        let got = collect("Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\nyou have won\n--o--\n")
        #expect(got.text == ["you have won"])
        #expect(got.problems.count == 1)
    }

    @Test("bad base64 lines are scanned as they are; bad QP and an unknown charset reported; unknown encoding raw")
    func badEncodings() {
        let message = """
            Content-Type: multipart/mixed; boundary=o

            --o
            Content-Transfer-Encoding: base64

            eW91IGhh
            you have won (not base64)
            dmUgd29u
            --o
            Content-Type: text/plain; charset=x-martian
            Content-Transfer-Encoding: quoted-printable

            bad =QP here
            --o
            Content-Transfer-Encoding: x-uuencode

            begin 644 x
            --o--
            """
        let got = collect(message)
        #expect(got.text == ["you have won (not base64)", "you have won", "bad =QP here", "begin 644 x"])
        #expect(got.problems.count == 4)
    }

    @Test("nesting deeper than the limit: the innermost multipart is scanned as plain text, boundaries and all")
    func deepNesting() {
        var message = ""
        for depth in 0..<30 { message += "Content-Type: multipart/mixed; boundary=b\(depth)\n\n--b\(depth)\n" }
        message += "\nburied text\n"
        let got = collect(message, limits: MIMELimits(maximumDepth: 5))
        #expect(got.types.count == 6)
        #expect(got.text.contains("buried text"))
        #expect(got.text.contains("--b6"))
        #expect(got.problems.first?.contains("deeper than 5") == true)
    }

    @Test("more parts than the limit: the rest of the message is scanned as it is")
    func tooManyParts() {
        var message = "Content-Type: multipart/mixed; boundary=p\n\n"
        for index in 0..<10 { message += "--p\nContent-Transfer-Encoding: base64\n\n\(base64Lines(Array("part \(index)".utf8))[0])\n" }
        message += "--p--\n"
        let got = collect(message, limits: MIMELimits(maximumParts: 3))
        #expect(Array(got.text.prefix(3)) == ["part 0", "part 1", "part 2"])
        #expect(got.text.contains("--p"))
        #expect(got.text.contains(base64Lines(Array("part 5".utf8))[0]))
        #expect(got.problems.count == 1)
    }

    @Test("a huge folded header is kept only up to the header limit")
    func hugeHeader() {
        var stream = MIMEStream(limits: MIMELimits(headerBytes: 1024))
        var peak = 0
        stream.feed(Array("Subject: start".utf8), number: 1) { _, _ in }
        for number in 2..<10_000 {
            stream.feed(Array((" " + String(repeating: "a", count: 200)).utf8), number: number) { _, _ in }
            peak = max(peak, stream.pendingHeaderStorage?.capacity ?? 0)
        }
        var header: [UInt8] = []
        stream.feed([], number: 10_000) { event, _ in if case .header(let bytes) = event { header = bytes } }
        #expect(header.count == 1024)
        #expect(peak <= 2048)
    }

    @Test("decoded text without line breaks comes in pieces of the line limit")
    func longDecodedLine() {
        let text = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
        let got = collect(
            "Content-Transfer-Encoding: base64\n\n" + base64Lines(text).joined(separator: "\n") + "\n",
            limits: MIMELimits(lineBytes: 4096))
        #expect(got.text.map(\.count) == [4096, 4096, 1808])
    }

    @Test("undeclared charset: invalid UTF-8 visible as U+FFFD")
    func invalidUTF8() {
        let got = collect(bytes: Array("Subject: x\n\ncaf".utf8) + [0xe9] + Array("\n".utf8))
        #expect(got.text == ["caf\u{FFFD}"])
        #expect(got.problems.count == 1)
    }

    @Test("every byte value, every cut: no crash, bounded output")
    func garbage() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            let pieces = [
                "Content-Type: multipart/mixed; boundary=x\n", "--x\n", "--x--\n", "\n", "Content-Transfer-Encoding: base64\n",
                "Content-Type: text/html; charset=utf-16\n", "=?utf-8?b?", "<scr", "&#x", "=\n", "Content-Type: message/rfc822\n",
            ]
            for _ in 0..<60 {
                if Bool.random(using: &generator) {
                    bytes += Array(pieces.randomElement(using: &generator)!.utf8)
                } else {
                    bytes += (0..<Int.random(in: 0..<20, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                }
            }
            let got = collect(bytes: bytes)
            #expect(got.text.allSatisfy { $0.utf8.count <= MIMELimits.default.lineBytes })
        }
    }
}
