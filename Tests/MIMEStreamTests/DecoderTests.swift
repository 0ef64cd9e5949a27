import Foundation
import TestSupport
import Testing
@testable import MIMEStream

@Suite("Base64: streaming, CRLF breaks, garbage")
struct Base64DecoderTests {
    private func decode(_ lines: [String]) -> (bytes: [UInt8], valid: [Bool], complete: Bool) {
        var decoder = Base64Decoder()
        var output: [UInt8] = []
        let valid = lines.map { decoder.decode(Array($0.utf8), into: &output) }
        let complete = decoder.finish(into: &output)
        return (output, valid, complete)
    }

    @Test("a quantum split across lines, CR at line ends, blanks inside")
    func splitQuanta() {
        // "Hello, world!" = SGVsbG8sIHdvcmxkIQ==
        let result = decode(["SGVsb\r", "G8sI Hdv\t", "cmxkIQ==\r"])
        #expect(String(decoding: result.bytes, as: UTF8.self) == "Hello, world!")
        #expect(result.valid == [true, true, true])
        #expect(result.complete)
    }

    @Test("a line with characters outside the alphabet is not decoded and leaves the state as it was")
    func garbageLine() {
        let result = decode(["SGVs", "this is *not* base64!", "bG8="])
        #expect(String(decoding: result.bytes, as: UTF8.self) == "Hello")
        #expect(result.valid == [true, false, true])
    }

    @Test("concatenated encodings: padding ends a quantum, the next one starts fresh")
    func concatenated() {
        let result = decode(["YQ==Yg==", "Yw"])
        #expect(result.bytes == Array("abc".utf8))
    }

    @Test("a lone sextet at the end is a cut encoding")
    func cut() {
        let result = decode(["YWJjZ"])
        #expect(result.bytes == Array("abc".utf8))
        #expect(!result.complete)
    }

    @Test("every byte value round-trips through our encoder of the test")
    func allBytes() {
        let bytes = (0...255).map { UInt8($0) } + [0, 1]
        let result = decode(base64Lines(bytes))
        #expect(result.bytes == bytes)
    }
}

@Suite("Quoted-printable: soft breaks, =XX, malformed =")
struct QuotedPrintableTests {
    private func decode(_ lines: [String]) -> (String, [Bool]) {
        var output: [UInt8] = []
        let malformed = lines.map { QuotedPrintableDecoder.decode(Array($0.utf8), into: &output).malformed }
        return (String(decoding: output, as: UTF8.self), malformed)
    }

    @Test("=XX in either case, a soft break joins lines, trailing blanks are padding")
    func basic() {
        let (text, malformed) = decode(["caf=C3=a9 is op=", "en  \t", "last"])
        #expect(text == "café is open\nlast\n")
        #expect(malformed == [false, false, false])
    }

    @Test("a = without two hex digits is kept and reported")
    func malformedEquals() {
        let (text, malformed) = decode(["1+1=2 and =ZZ and =4"])
        #expect(text == "1+1=2 and =ZZ and =4\n")
        #expect(malformed == [true])
    }

    @Test("a = right before trailing blanks is still a soft break")
    func softBreakBeforeBlanks() {
        let (text, _) = decode(["you ha= ", "ve won"])
        #expect(text == "you have won\n")
    }

    @Test("RFC 2047 Q: underscore is a space")
    func encodedWordQ() {
        #expect(QuotedPrintableDecoder.decodeEncodedWord(Array("you_have=20won=21".utf8)[...]) == Array("you have won!".utf8))
    }
}

@Suite("RFC 2047 encoded-words")
struct EncodedWordTests {
    private func decode(_ value: String) -> String? {
        EncodedWords.decode(Array(value.utf8)[...]).map { String(decoding: $0.text, as: UTF8.self) }
    }

    @Test("B and Q, upper and lower case, text around them")
    func basic() {
        #expect(decode("=?UTF-8?B?eW91IGhhdmUgd29u?=") == "you have won")
        #expect(decode("Re: =?utf-8?q?caf=C3=A9?= time") == "Re: café time")
        #expect(decode("plain subject") == nil)
    }

    @Test("adjacent encoded-words are joined without the blanks between them (a folded header unfolded)")
    func adjacent() {
        // As a folded header arrives unfolded: the CRLF removed, the blank of the continuation kept.
        #expect(decode("=?UTF-8?Q?you_ha?= \t=?UTF-8?Q?ve_won?=") == "you have won")
        // A blank between a word and plain text stays.
        #expect(decode("=?UTF-8?Q?you?= have won") == "you have won")
    }

    @Test("a character split across two encoded-words of one charset comes out whole")
    func splitCharacter() {
        // "é" is C3 A9 in UTF-8: one byte in each word.
        #expect(decode("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=") == "café")
    }

    @Test("other charsets through iconv: ISO-8859-1, windows-1252, ISO-2022-JP, KOI8-R; language suffix ignored")
    func charsets() {
        #expect(decode("=?ISO-8859-1?Q?Gr=FC=DFe?=") == "Grüße")
        #expect(decode("=?windows-1252?Q?=80100?=") == "€100")
        // "日本" in ISO-2022-JP: ESC $ B F| K\ ESC ( B
        #expect(decode("=?ISO-2022-JP?B?GyRCRnxLXBsoQg==?=") == "日本")
        #expect(decode("=?koi8-r?b?8NLJ18XU?=") == "Привет")
        #expect(decode("=?utf-8*en?q?hello?=") == "hello")
    }

    @Test("malformed encoded-words are kept as they are; an unknown charset is taken as UTF-8")
    func malformed() {
        #expect(decode("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=")
        #expect(decode("=?utf-8?q?no end") == "=?utf-8?q?no end")
        let bad = EncodedWords.decode(Array("=?utf-8?b?!!!?=".utf8)[...])
        #expect(bad.map { String(decoding: $0.text, as: UTF8.self) } == "=?utf-8?b?!!!?=")
        #expect(bad?.clean == false)
        let unknown = EncodedWords.decode(Array("=?x-no-such-charset?q?hi?=".utf8)[...])
        #expect(unknown.map { String(decoding: $0.text, as: UTF8.self) } == "hi")
        #expect(unknown?.clean == false)
    }
}

@Suite("Charsets to UTF-8")
struct CharsetTests {
    @Test("ill-formed UTF-8 becomes U+FFFD, one per maximal subpart; well-formed passes")
    func repair() {
        var repair = UTF8Repair()
        var output: [UInt8] = []
        let clean = repair.append([0x61, 0xff, 0x62, 0xe2, 0x82, 0x63, 0xed, 0xa0, 0x80], final: true, into: &output)
        #expect(!clean)
        #expect(String(decoding: output, as: UTF8.self) == "a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(UTF8Repair.isValid(Array("Grüße €".utf8)))
        #expect(!UTF8Repair.isValid([0xc0, 0x80]))
    }

    @Test("a sequence cut between chunks is carried over")
    func carried() {
        var repair = UTF8Repair()
        var output: [UInt8] = []
        #expect(repair.append([0x61, 0xe2, 0x82], final: false, into: &output))
        #expect(repair.append([0xac, 0x62], final: true, into: &output))
        #expect(String(decoding: output, as: UTF8.self) == "a€b")
    }

    @Test("iconv: a multibyte character cut between chunks is carried over; invalid bytes become U+FFFD")
    func iconv() throws {
        let converter = try #require(IconvConverter(charset: "shift_jis"))
        var output: [UInt8] = []
        // "日本" in Shift_JIS: 93 FA 96 7B, cut after the first byte.
        #expect(converter.convert([0x93], final: false, into: &output))
        #expect(converter.convert([0xfa, 0x96, 0x7b], final: true, into: &output))
        #expect(String(decoding: output, as: UTF8.self) == "日本")
        let ascii = try #require(IconvConverter(charset: "iso-8859-6"))
        output = []
        // 0xA1 is not assigned in ISO-8859-6.
        #expect(!ascii.convert([0x61, 0xa1, 0x62], final: true, into: &output))
        #expect(String(decoding: output, as: UTF8.self) == "a\u{FFFD}b")
        #expect(IconvConverter(charset: "no-such-charset") == nil)
    }
}

@Suite("HTML to text")
struct HTMLTextTests {
    private func text(_ html: String) -> String {
        var stripper = HTMLText()
        var output: [UInt8] = []
        stripper.append(Array(html.utf8), into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test("tags removed, attributes with > in quotes, block tags end lines, cells apart")
    func tags() {
        #expect(text("<p>You <b>have</b> won</p>") == "\nYou have won\n")
        #expect(text("<a href=\"http://x/?a>b\" title='>'>click</a> here") == "click here")
        #expect(text("a<br>b<td>c</td><td>d") == "a\nb c d")
    }

    @Test("comments, script and style give no text; references are decoded")
    func hidden() {
        #expect(text("a<!-- hidden -- > still -->b<script>var x = '<b>';</script>c<style>p{}</style>d") == "abcd")
        #expect(text("caf&eacute; &amp; caf&#233; &#xE9; &lt;b&gt; &nbsp;x") == "caf&eacute; & café é <b>  x")
        #expect(text("1 < 2 & 3 > 2") == "1 < 2 & 3 > 2")
    }

    /// The text and the link targets of `html`, fed in pieces of `piece` bytes.
    private func textAndLinks(_ html: String, piece: Int = .max) -> (String, [String]) {
        var stripper = HTMLText(collectsLinks: true)
        var output: [UInt8] = []
        var links: [String] = []
        let bytes = Array(html.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + piece)
            stripper.append(Array(bytes[start..<end]), into: &output)
            links += stripper.takeLinks().map { String(decoding: $0, as: UTF8.self) }
            start = end
        }
        return (String(decoding: output, as: UTF8.self), links)
    }

    static let linkCases = [
        "<a href=\"https://a.example/x?y=1\">click</a> <img src='http://b.example/i.png'> <form action=https://c.example/f method=post>",
        "<A HREF = \"HTTPS://Upper.Example/\" title=\"href\">x</A><a data-href=\"https://no.example/\" href=https://yes.example/>y</a>",
        "<p title='a > b' class=x>text</p><a\nhref\n=\n\"https://lines.example/\"\n>z</a><a href=\"\">empty</a><a href>bare</a>",
        "<!-- <a href=\"https://comment.example/\"> --><script>var s = '<a href=\"https://script.example/\">';</script><a href='https://after.example/'>ok</a>",
    ]

    @Test("link targets: href, src and action values, whatever the case, quotes or blanks; the text is unchanged")
    func links() {
        let (text, links) = textAndLinks(Self.linkCases[0])
        #expect(links == ["https://a.example/x?y=1", "http://b.example/i.png", "https://c.example/f"])
        #expect(text == self.text(Self.linkCases[0]))
        #expect(textAndLinks(Self.linkCases[1]).1 == ["HTTPS://Upper.Example/", "https://yes.example/"])
        #expect(textAndLinks(Self.linkCases[2]).1 == ["https://lines.example/"])
        #expect(textAndLinks(Self.linkCases[3]).1 == ["https://after.example/"])
        // Fed a byte at a time, as lines cut anywhere would be: the same.
        for html in Self.linkCases { #expect(textAndLinks(html, piece: 1).1 == textAndLinks(html).1, "\(html)") }
        // Not asked for: none kept.
        var plain = HTMLText()
        var output: [UInt8] = []
        plain.append(Array(Self.linkCases[0].utf8), into: &output)
        #expect(plain.takeLinks().isEmpty)
    }

    @Test(
        "link targets as Python's html.parser finds them",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3"))
    func linksAsPythonFindsThem() throws {
        let script = """
            import json, sys
            from html.parser import HTMLParser
            class Links(HTMLParser):
                def __init__(self):
                    super().__init__(convert_charrefs=True)
                    self.links = []
                def handle_starttag(self, tag, attrs):
                    self.links += [v for k, v in attrs if k in ("href", "src", "action") and v]
            out = []
            for html in json.load(sys.stdin):
                p = Links(); p.feed(html); p.close(); out.append(p.links)
            json.dump(out, sys.stdout)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: Self.linkCases))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [[String]])
        #expect(Self.linkCases.map { textAndLinks($0).1 } == expected)
    }

    @Test("a tag that never ends is text after 4 KiB")
    func runaway() {
        let output = text("<a " + String(repeating: "x", count: 5000) + " visible")
        #expect(output.hasSuffix(" visible"))
    }
}

@Suite("Content-Type and Content-Disposition parameters (RFC 2045, RFC 2231)")
struct HeaderParameterTests {
    private func parse(_ value: String) -> HeaderParameters { HeaderParameters(Array(value.utf8)) }
    private func string(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    @Test("value lowercased, quoted and unquoted parameters, comments")
    func basic() {
        let type = parse("Multipart/Mixed (comment); boundary=\"=_a b;c\"; charset=UTF-8")
        #expect(type.value == "multipart/mixed")
        #expect(string(type["boundary"]) == "=_a b;c")
        #expect(string(type["charset"]) == "UTF-8")
    }

    @Test("RFC 2231: continuations joined in order, extended sections percent-decoded in their charset")
    func continuations() {
        let disposition = parse("attachment; filename*1=\"_part.exe\"; filename*0*=UTF-8''%E2%82%AC100")
        #expect(string(disposition["filename"]) == "€100_part.exe")
        let latin = parse("attachment; filename*=iso-8859-1'de'Gr%FC%DFe.txt; filename=\"fallback.txt\"")
        #expect(string(latin["filename"]) == "Grüße.txt")
    }

    @Test("missing closing quote, blanks in an unquoted value")
    func lenient() {
        #expect(string(parse("inline; filename=my file.pdf ; x=1")["filename"]) == "my file.pdf")
        #expect(string(parse("inline; filename=\"cut.pdf")["filename"]) == "cut.pdf")
    }
}
