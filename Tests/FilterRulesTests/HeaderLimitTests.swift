import TestSupport
import Testing
@testable import FilterRules

/// A folded header: `first`, then `count` continuation lines of a blank and `width - 1`
/// a's, the last one ending in `last`.
private func foldedHeader(_ first: String, count: Int, width: Int, last: String = "") -> [[UInt8]] {
    var lines = [Array(first.utf8)]
    let continuation = [UInt8(ascii: " ")] + [UInt8](repeating: UInt8(ascii: "a"), count: width - 1)
    lines += Array(repeating: continuation, count: count - 1)
    lines.append([UInt8(ascii: " ")] + Array((String(repeating: "a", count: width - 1 - last.utf8.count) + last).utf8))
    return lines
}

/// Runs DATA, `headerLines`, the empty line and `body` through `evaluator`, noting the
/// most the pending header held; the verdict and that peak (count, capacity).
private func send(_ evaluator: SessionEvaluator, _ headerLines: [[UInt8]], body: [String] = ["body"]) -> (Decision, count: Int, capacity: Int) {
    _ = evaluator.data()
    var peak = (count: 0, capacity: 0)
    for line in headerLines {
        evaluator.dataLine(line)
        if let storage = evaluator.pendingHeaderStorage {
            peak = (max(peak.count, storage.count), max(peak.capacity, storage.capacity))
        }
    }
    evaluator.dataLine([])
    for line in body { evaluator.dataLine(Array(line.utf8)) }
    return (evaluator.endOfMessage(), peak.count, peak.capacity)
}

private func evaluator(_ rules: String) throws -> SessionEvaluator { try rulesSession(rules, file: "h.conf") }

@Suite("Header limit: how much of a folded header is kept")
struct HeaderLimitTests {
    @Test("a 30 MB folded header: the evaluator keeps 64 KiB of it; the header rules see those, the dataline rules every line")
    func thirtyMegabytes() throws {
        let header = foldedHeader("Subject: start", count: 30_000, width: 1000, last: "NEEDLE")
        #expect(header.reduce(0) { $0 + $1.count } == 30_000_014)
        let (found, count, capacity) = send(try evaluator("header Subject /^start/ reject 551\n"), header)
        #expect(found.reply?.code == 551)
        #expect(count == 65_536)
        #expect(capacity <= 2 * 65_536)
        // What lies beyond the limit is not seen, so the message is refused by default
        // (set oversized-header), not passed.
        let (beyond, _, _) = send(try evaluator("header Subject /NEEDLE/ reject\n"), header)
        #expect(beyond.rule == nil && beyond.reply?.code == 554)
        #expect(beyond.reason == "a header (Subject) longer than 65536 bytes, set oversized-header reject")
        let (accepted, _, _) = send(try evaluator("set oversized-header accept\nheader Subject /NEEDLE/ reject\n"), header)
        #expect(accepted == .accept)
        // Without header rules no header is kept at all.
        let (dataline, datalineCount, _) = send(try evaluator("dataline /NEEDLE$/ reject 552\n"), header)
        #expect(dataline.reply?.code == 552)
        #expect(datalineCount == 0)
    }

    @Test("the cap falls inside a continuation line: exactly the first header-limit bytes are kept")
    func exactCap() throws {
        let rules = "set header-limit 1k\nheader X-Folded /^(?:[ a]*)b$/ reject\nheader /^X-Folded: a{10}/ reject 553\n"
        // 20 bytes, then continuation lines of 100: the cap lies inside the eleventh.
        let header = [Array("X-Folded: aaaaaaaaaa".utf8)] + foldedHeader("", count: 20, width: 100, last: "b").dropFirst()
        let (decision, count, _) = send(try evaluator(rules), header)
        #expect(count == 1024)
        // The header ends in b, beyond the cap: the first rule does not see it.
        #expect(decision.reply?.code == 553)
        let (whole, wholeCount, _) = send(try evaluator("set header-limit 0\n" + rules.dropFirst("set header-limit 1k\n".count)), header)
        #expect(wholeCount == 20 + 20 * 100)
        #expect(whole.rule?.location.line == 2)
    }

    @Test("a single header line longer than the limit is cut too")
    func longFirstLine() throws {
        let line = Array(("X-Long: " + String(repeating: "x", count: 100_000) + "END").utf8)
        let (decision, count, _) = send(try evaluator("header X-Long /END$/ reject\nheader X-Long /^x+$/ reject 554\n"), [line])
        #expect(count == 65_536)
        #expect(decision.reply?.code == 554)
    }

    @Test func option() throws {
        #expect(try RuleSetLoader.parse(text: "", file: "h.conf").options.headerLimit == 65_536)
        #expect(try RuleSetLoader.parse(text: "set header-limit 1k\n", file: "h.conf").options.headerLimit == 1024)
        #expect(try RuleSetLoader.parse(text: "set header-limit 2M\n", file: "h.conf").options.headerLimit == 2 << 20)
        #expect(try RuleSetLoader.parse(text: "set header-limit 0\n", file: "h.conf").options.headerLimit == 0)
        #expect(
            diagnostic("set header-limit lots")
                == "r.conf:1:18: bad size 'lots' for header-limit, expected a number of bytes with optional k or m")
    }
}
