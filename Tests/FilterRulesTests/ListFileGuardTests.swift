import Foundation
import Testing
@testable import FilterRules

/// A list file cut short (emptied, or cut mid-line by an editor or a copy in progress) is an
/// error, not a smaller policy: the rules file's guard applies to its lists.
@Suite("List files: empty or cut short")
struct ListFileGuardTests {
    /// A directory with the rules file `r.conf` and the list `senders` holding `list`.
    final class ListDirectory {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lists-\(UUID().uuidString)")
        var rules: String { directory.appendingPathComponent("r.conf").path }
        var list: String { directory.appendingPathComponent("senders").path }

        init(list text: String) throws {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: list))
        }

        /// The diagnostics of compiling `text` as `r.conf`, empty when it compiles.
        func diagnostics(_ text: String) -> [String] {
            do {
                _ = try RuleSetLoader.compile(text: text, file: rules)
                return []
            } catch {
                return error.diagnostics.map(\.description)
            }
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    static let rule = "mail file \"senders\" reject\n"

    /// The error of a list without entries, at the `file` word of the rule on line 1.
    static func noEntries(_ lists: ListDirectory, line: Int = 1) -> String {
        "\(lists.rules):\(line):6: list file \(lists.list): has no entries (cut short?); put 'set allow-empty on' "
            + "in the rules file if the list is meant to be empty"
    }

    /// The error of a list whose line `last` has no newline, at the `file` word of the rule.
    static func noFinalNewline(_ lists: ListDirectory, last: Int, line: Int = 1) -> String {
        "\(lists.rules):\(line):6: list file \(lists.list):\(last): ends without a final newline "
            + "(cut short while being written?); end its last line with a newline"
    }

    @Test("an empty list (0 bytes) is an error at the rule")
    func emptyList() throws {
        let lists = try ListDirectory(list: "")
        #expect(lists.diagnostics(Self.rule) == [Self.noEntries(lists)])
    }

    @Test("a list of comments and blank lines only has no entries either")
    func commentOnlyList() throws {
        let lists = try ListDirectory(list: "# blocked senders\n\n   \n# none yet\n")
        #expect(lists.diagnostics("helo /x/ reject\n" + Self.rule) == [Self.noEntries(lists, line: 2)])
    }

    @Test("a list cut mid-line (no final newline) is an error naming its last line")
    func noFinalNewline() throws {
        let lists = try ListDirectory(list: "# blocked\nspammer@bulk.example\nother@bulk.exa")
        #expect(lists.diagnostics(Self.rule) == [Self.noFinalNewline(lists, last: 3)])
        // CRLF lines end in a newline; a lone CR does not.
        try Data("a@b.example\r\nc@d.example\r\n".utf8).write(to: URL(fileURLWithPath: lists.list))
        #expect(lists.diagnostics(Self.rule).isEmpty)
        try Data("a@b.example\r".utf8).write(to: URL(fileURLWithPath: lists.list))
        #expect(lists.diagnostics(Self.rule) == [Self.noFinalNewline(lists, last: 1)])
    }

    @Test("set allow-empty on lets an empty or comment-only list load, but not one without a final newline")
    func allowEmpty() throws {
        let lists = try ListDirectory(list: "")
        let text = "set allow-empty on\n" + Self.rule
        let empty = try RuleSetLoader.compile(text: text, file: lists.rules)
        #expect(empty.rules.count == 1)
        #expect(empty.warnings.isEmpty)
        try Data("# none for now\n".utf8).write(to: URL(fileURLWithPath: lists.list))
        #expect(try RuleSetLoader.compile(text: text, file: lists.rules).rules.count == 1)
        try Data("# none for now".utf8).write(to: URL(fileURLWithPath: lists.list))
        #expect(lists.diagnostics(text) == [Self.noFinalNewline(lists, last: 1, line: 2)])
    }

    @Test("the set keeps each list's entry count by resolved path; a shrink of more than half since a set is noted")
    func entryCountsAndShrink() throws {
        let lists = try ListDirectory(list: "# blocked\na@b.example\nc@d.example\n\n@e.example\n.f.example\n")
        let text = "helo /x/ and mail file \"senders\" reject\nrcpt file \"senders\" reject\n"
        let four = try RuleSetLoader.compile(text: text, file: lists.rules)
        #expect(four.listEntryCounts == [lists.list: 4])
        try Data("a@b.example\nc@d.example\n".utf8).write(to: URL(fileURLWithPath: lists.list))
        let two = try RuleSetLoader.compile(text: text, file: lists.rules)
        #expect(two.shrunkLists(since: four).isEmpty)
        try Data("a@b.example\n".utf8).write(to: URL(fileURLWithPath: lists.list))
        let one = try RuleSetLoader.compile(text: text, file: lists.rules)
        // Half is not more than half.
        #expect(one.shrunkLists(since: two).isEmpty)
        #expect(one.shrunkLists(since: four) == ["list file \(lists.list) has 1 entry, was 4 at the last load"])
        #expect(four.shrunkLists(since: one).isEmpty)
        // A list new to the set has nothing to compare with.
        #expect(one.shrunkLists(since: try RuleSetLoader.compile(text: "helo /x/ reject\n", file: lists.rules)).isEmpty)
    }

    @Test("a whole list ending in a newline loads as before")
    func wholeList() throws {
        let lists = try ListDirectory(list: "# blocked\nspammer@bulk.example\n\n.badnet.example\n")
        #expect(lists.diagnostics(Self.rule).isEmpty)
    }
}
