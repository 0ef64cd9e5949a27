import Testing
@testable import FilterRules

@Suite("A rules file without rules")
struct EmptyFileTests {
    @Test func allowEmptyOption() throws {
        #expect(try RuleSetLoader.parse(text: "", file: "e.conf").options.allowEmpty == false)
        #expect(try RuleSetLoader.parse(text: "set allow-empty on\n", file: "e.conf").options.allowEmpty)
        #expect(try RuleSetLoader.parse(text: "SET Allow-Empty YES\n", file: "e.conf").options.allowEmpty)
        #expect(try RuleSetLoader.parse(text: "set allow-empty on\nset allow-empty no\n", file: "e.conf").options.allowEmpty == false)
        #expect(diagnostic("set allow-empty maybe") == "r.conf:1:17: bad value 'maybe' for allow-empty, expected on or off")
    }

    @Test("no rules is warned about, unless the file says it is meant")
    func warning() throws {
        let text =
            "the file has no rules, so every query is accepted; if that is meant, put 'set allow-empty on' in it: "
            + "without it a reload to a file without rules is refused while rules are in force"
        #expect(try RuleSetLoader.compile(text: "", file: "e.conf").warnings.map(\.description) == ["e.conf: warning: \(text)"])
        #expect(try RuleSetLoader.compile(text: "# all off\n", file: "e.conf").warnings.map(\.logText) == ["e.conf: \(text)"])
        #expect(try RuleSetLoader.compile(text: "set allow-empty on\n", file: "e.conf").warnings.isEmpty)
        #expect(try RuleSetLoader.compile(text: "helo /x/ reject\n", file: "e.conf").warnings.isEmpty)
    }
}
