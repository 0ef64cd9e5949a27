@testable import FilterRulesEngine
import Testing

@Suite("Input excerpts in logs and reports")
struct InputExcerptTests {
    @Test("printable ASCII and UTF-8 text are shown as they are, quotes and backslashes escaped")
    func printable() {
        #expect(InputExcerpt("see bit.ly/x").quoted == #""see bit.ly/x""#)
        #expect(InputExcerpt("Grüße ✓ 日本").quoted == #""Grüße ✓ 日本""#)
        #expect(InputExcerpt(#"say "hi" \o/"#).quoted == #""say \"hi\" \\o/""#)
    }

    @Test("control characters, invisible characters and bytes that are not UTF-8 are escaped")
    func escapes() {
        #expect(InputExcerpt([0x61, 0x0d, 0x0a, 0x09, 0x01, 0x7f, 0x1b]).escaped == #"a\r\n\t\x01\x7f\x1b"#)
        #expect(InputExcerpt([0xff, 0xfe, 0x41, 0xc3, 0x28, 0xe2, 0x82]).escaped == #"\xff\xfeA\xc3(\xe2\x82"#)
        // C1 control (NEL), right-to-left override, line separator.
        #expect(InputExcerpt("a\u{85}b\u{202E}c\u{2028}").escaped == #"a\u{85}b\u{202E}c\u{2028}"#)
        // An overlong encoding of "/" is not UTF-8.
        #expect(InputExcerpt([0xc0, 0xaf]).escaped == #"\xc0\xaf"#)
    }

    @Test("an input longer than 200 bytes is cut there, its length named, a character never split")
    func truncation() {
        let long = InputExcerpt([UInt8](repeating: UInt8(ascii: "x"), count: 300))
        #expect(long.escaped == String(repeating: "x", count: 200) && long.isTruncated && long.byteCount == 300)
        #expect(long.quoted == "\"" + String(repeating: "x", count: 200) + "\"... (300 bytes)")
        let exact = InputExcerpt([UInt8](repeating: UInt8(ascii: "x"), count: 200))
        #expect(!exact.isTruncated && exact.quoted == "\"" + String(repeating: "x", count: 200) + "\"")
        // 199 bytes, then a 2-byte character that would end at byte 201: left off whole.
        let straddling = InputExcerpt(Array(String(repeating: "y", count: 199).utf8) + Array("é".utf8))
        #expect(straddling.escaped == String(repeating: "y", count: 199) && straddling.isTruncated)
    }
}
