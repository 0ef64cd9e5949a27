import Testing
@testable import FilterRules

/// A large file is parsed in parts on all cores: the result must be that of reading it
/// line by line — every rule in file order, every diagnostic, and the options of the last
/// `set` line of each name.
@Suite("Parsing a large file in parts")
struct LargeFileParseTests {
    @Test("5,000 lines with set lines, overrides and errors in many parts read as line by line")
    func partsReadAsOneFile() throws {
        var lines: [String] = []
        var expectedErrorLines: [Int] = []
        var expectedRules = 0
        for index in 0..<5_000 {
            switch index {
            case 10: lines.append("set scan-limit 1m")
            case 700: lines.append("set fail-closed on")
            case 1_900: lines.append("set scan-limit 2m")  // overrides line 11, in another part
            case 3_000: lines.append("set mode report-only")
            case 4_999: lines.append("set scan-limit 3m")  // the last word on it, in the last part
            case 2_500:
                lines.append("set no-such-option on")
                expectedErrorLines.append(index + 1)
            case let at where at % 997 == 0:
                lines.append("helo /unclosed reject")
                expectedErrorLines.append(at + 1)
            default:
                lines.append("dataline /line \(index) (?:a|b)/i reject")
                expectedRules += 1
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let (file, diagnostics) = RuleSetLoader.parseEveryLine(text: text, file: "large.rules")
        #expect(lines.count > 2 * RulesParser.linesPerPart)
        #expect(file.rules.count == expectedRules)
        // In file order, each rule at its own line.
        let ruleLines = file.rules.map(\.location.line)
        #expect(ruleLines == ruleLines.sorted() && Set(ruleLines).count == ruleLines.count)
        #expect(file.rules.first?.source.contains("line 1 ") == true)  // line 0 is an error
        #expect(file.rules.last?.source.contains("line 4998 ") == true)
        #expect(diagnostics.map(\.location.line).sorted() == expectedErrorLines.sorted(), "\(diagnostics)")
        #expect(diagnostics.contains { $0.message.contains("no-such-option") })
        #expect(file.options.scanLimit == 3 << 20)
        #expect(file.options.failClosed)
        #expect(file.options.mode == .reportOnly)
    }
}

/// The parallel map under the loader: every element once, in order, for every size
/// around its chunking (sizes where the last chunk is short or chunks divide unevenly).
@Suite("parallelMap")
struct ParallelMapTests {
    @Test("the same as map for sizes 0 to 300 and a few large ones")
    func sameAsMap() {
        for size in Array(0...300) + [1_000, 1_023, 4_097] {
            let input = Array(0..<size)
            #expect(input.parallelMap { $0 * 3 + 1 } == input.map { $0 * 3 + 1 }, "size \(size)")
        }
    }
}
