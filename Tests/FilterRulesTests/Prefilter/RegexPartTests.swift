import Synchronization
import Testing
@testable import FilterRules
@testable import PCRE2Matching

/// The regex databases are cut into parts by content, so that a reload rebuilds what changed
/// and reuses the rest from memory.
@Suite("Prefilter: regex parts cut by content, reused at a reload")
struct RegexPartTests {
    /// `count` regexes with no literal of 3 bytes, as patterns with ids as positions.
    private static func patterns(_ count: Int, changing changed: Int? = nil) -> [VectorscanPattern] {
        (0..<count).map { index in
            let source = "^[a-c]{\(index % 50 + 1)}[0-9]{\(index / 50 + 1)}" + (index == changed ? "x" : "") + "$"
            return VectorscanPattern(expression: Array(source.utf8), flags: 0, id: UInt32(index))
        }
    }

    private static func keys(_ parts: [RegexPart]) -> Set<[UInt8]> { Set(parts.map { DatabaseRecipe.regexes($0.patterns).key }) }

    @Test("inserting, changing or removing one pattern changes at most two parts")
    func cutsStayPut() {
        #expect(RegexPart.split(Self.patterns(RegexPart.smallestSplit)).count == 1)
        let before = RegexPart.split(Self.patterns(2_000))
        #expect(before.count >= 2 && before.count <= 20, "\(before.count) parts")
        #expect(before.flatMap(\.positions) == (0..<2_000).map { UInt32($0) })
        var inserted = Self.patterns(2_000)
        inserted.insert(VectorscanPattern(expression: Array("^q[0-9]$".utf8), flags: 0, id: 0), at: 700)
        for index in inserted.indices { inserted[index].id = UInt32(index) }
        var removed = Self.patterns(2_000)
        removed.remove(at: 1_234)
        for index in removed.indices { removed[index].id = UInt32(index) }
        for changed in [RegexPart.split(inserted), RegexPart.split(Self.patterns(2_000, changing: 99)), RegexPart.split(removed)] {
            #expect(Self.keys(changed).subtracting(Self.keys(before)).count <= 2)
        }
    }

    @Test("a reload with one rule changed compiles one part and reuses the others from memory")
    func reloadReusesParts() throws {
        func rules(changing changed: Int?) -> String {
            (0..<1_500).map { index in
                "dataline /^[a-c]{\(index % 50 + 1)}[0-9]{\(index / 50 + 1)}\(index == changed ? "x" : "")$/ reject"
            }.joined(separator: "\n") + "\n"
        }
        let compiled = Mutex<[Int]>([])
        let options = PrefilterOptions(report: { report in
            if case .partLive(_, let rules, _, _) = report { compiled.withLock { $0.append(rules) } }
        })
        let first = try RuleSetLoader.compile(text: rules(changing: nil), file: "a", matching: .prefiltered(options))
        first.waitForPrefilters()
        let firstParts = compiled.withLock { list in
            defer { list = [] }; return list
        }
        #expect(firstParts.count >= 2)
        #expect(firstParts.reduce(0, +) == 1_500)
        let second = try RuleSetLoader.compile(text: rules(changing: 300), file: "a", matching: .prefiltered(options))
        second.waitForPrefilters()
        let secondParts = compiled.withLock { $0 }
        #expect(secondParts.count == 1, "\(secondParts)")
        #expect(first.prefiltersAreBuilt && second.prefiltersAreBuilt)
        let scratch = MatchScratch(limits: second.options.limits)
        let matcher = try #require(second.matcher(for: .dataline))
        #expect(matcher.firstMatch(MatchSubject(text: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb7x"), from: 0, scratch: scratch).position == nil)
        let changedLine = String(repeating: "b", count: 300 % 50 + 1) + String(repeating: "7", count: 300 / 50 + 1) + "x"
        #expect(matcher.firstMatch(MatchSubject(text: changedLine), from: 0, scratch: scratch).position == 300)
    }
}
