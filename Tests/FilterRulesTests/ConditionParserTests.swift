import Foundation
import Testing
@testable import FilterRules

/// The condition of the only rule of `text`, as a compact string: terms as `stage:/regex/`,
/// `not(...)`, `and(...)`, `or(...)`.
private func shape(_ text: String) throws -> String {
    let parsed = try rule(text)
    func show(_ expression: RuleExpression) -> String {
        switch expression {
        case .term(let term):
            switch term.pattern {
            case .regex(let source, _, _): return "\(term.stage):\(term.isNegated ? "!" : "")/\(source)/"
            case .cidr(let block): return "\(term.stage):\(block)"
            case .list(let path, _): return "\(term.stage):file(\(path))"
            case .dnsList(let name, _): return "\(term.stage):\(term.isNegated ? "!" : "")listed(\(name))"
            case .score(let comparison): return "score\(comparison)"
            case .limit(let name, _): return "\(term.stage):\(term.isNegated ? "!" : "")over(\(name))"
            case .dynlist(let name, _): return "\(term.stage):\(term.isNegated ? "!" : "")in(\(name))"
            }
        case .not(let operand): return "not(\(show(operand)))"
        case .and(let left, let right): return "and(\(show(left)),\(show(right)))"
        case .or(let left, let right): return "or(\(show(left)),\(show(right)))"
        }
    }
    guard let expression = parsed.expression else { return "plain " + show(.term(parsed.terms[0])) }
    return show(expression)
}

@Suite("Parser: conditions with and, or, not, parentheses, session facts and list files")
struct ConditionParserTests {
    @Test func precedenceIsNotThenAndThenOr() throws {
        #expect(try shape("helo /a/ or mail /b/ and rcpt /c/ reject") == "or(helo:/a/,and(mail:/b/,rcpt:/c/))")
        #expect(try shape("not helo /a/ and mail /b/ reject") == "and(not(helo:/a/),mail:/b/)")
        #expect(try shape("(helo /a/ or mail /b/) and rcpt /c/ reject") == "and(or(helo:/a/,mail:/b/),rcpt:/c/)")
        #expect(try shape("not (helo /a/ or helo /b/) and (mail /c/) reject") == "and(not(or(helo:/a/,helo:/b/)),mail:/c/)")
        #expect(try shape("helo /a/ AND mail ! /b/ Or rcpt /c/ reject") == "or(and(helo:/a/,mail:!/b/),rcpt:/c/)")
        #expect(try shape("helo /a/ and mail /b/ and rcpt /c/ reject") == "and(and(helo:/a/,mail:/b/),rcpt:/c/)")
    }

    @Test func aOneTermRuleIsTodaysRule() throws {
        #expect(try shape("helo /a/ reject") == "plain helo:/a/")
        #expect(try shape("(helo /a/) reject") == "plain helo:/a/")
        let plain = try rule("header Subject ! /x/i reject 554")
        #expect(plain.expression == nil && plain.headerName == "subject" && plain.isNegated && plain.stage == .header)
        // Session facts always go through the conditions, even alone.
        #expect(try shape("auth /^bob$/ accept session") == "auth:/^bob$/")
        #expect(try shape("rdns /\\.dyn\\./ reject") == "plain connect:/\\.dyn\\./")
        #expect(try shape("fcrdns /^fail$/ and mail /x/ reject") == "and(fcrdns:/^fail$/,mail:/x/)")
    }

    @Test func parenthesesNeedNoBlanks() throws {
        #expect(try shape("(helo /a/i)and(mail /b/) reject") == "and(helo:/a/,mail:/b/)")
    }

    @Test func everyMistakeInAConditionIsPlaced() {
        #expect(
            diagnostic("helo /a/ and reject")
                == "r.conf:1:14: unknown stage 'reject', expected one of \(stageList)")
        #expect(
            diagnostic("helo /a/ or")
                == "r.conf:1:12: expected a condition: a stage, 'not' or '(' (a rule cannot end with 'and', 'or' or 'not')")
        #expect(
            diagnostic("(helo /a/ or mail /b/ reject")
                == "r.conf:1:23: expected ')' to close the '(' at column 1, found reject")
        #expect(diagnostic("helo /a/) reject") == "r.conf:1:9: unexpected ')', no '(' is open")
        #expect(
            diagnostic("helo /a/ and and mail /b/ reject")
                == "r.conf:1:14: expected a condition (a stage, 'not' or '('), found and")
        #expect(
            diagnostic("helo /a/ and mail /b/")
                == "r.conf:1:22: expected an action: \(actionList), or 'and', 'or'")
        #expect(
            diagnostic("mail file reject")
                == "r.conf:1:6: expected the list file's path in quotes after 'file', e.g. file \"senders.list\"")
        #expect(diagnostic("not reject") == "r.conf:1:5: unknown stage 'reject', expected one of \(stageList)")
    }

    @Test func conditionsAreBoundedSoAHugeOneIsAnErrorNotACrash() {
        // 20,000 terms or 50,000 parentheses used to overflow the stack (segmentation fault).
        let long = "helo /a/ " + Array(repeating: "or helo /b/", count: 20_000).joined(separator: " ") + " reject"
        #expect(
            diagnostic(long)
                == "r.conf:1:3073: a rule may have at most 256 terms; put many alternatives in one regex or a list file (file \"PATH\")")
        let deep = String(repeating: "(", count: 50_000) + "helo /a/" + String(repeating: ")", count: 50_000) + " reject"
        #expect(diagnostic(deep) == "r.conf:1:33: 'not' and parentheses nest more than 32 deep here; write the condition flatter or split the rule")
        let nots = Array(repeating: "not", count: 40).joined(separator: " ") + " helo /a/ reject"
        #expect(diagnostic(nots)?.hasPrefix("r.conf:1:129: 'not' and parentheses nest more than 32") == true)
        let fits = "helo /a/ " + Array(repeating: "or helo /b/", count: 255).joined(separator: " ") + " reject"
        #expect(diagnostics(fits).isEmpty)
        #expect(diagnostics(String(repeating: "(", count: 32) + "helo /a/" + String(repeating: ")", count: 32) + " reject").isEmpty)
    }

    @Test func anAcceptTransactionThatCanFireBeforeMailIsAnError() {
        #expect(
            diagnostic("helo /a/ or mail /b/ accept transaction")
                == "r.conf:1:29: 'accept transaction' can fire before MAIL FROM, where no transaction is under way: through the "
                + "helo term at 1:1; 'and' it with a mail, rcpt or message term, or use 'accept session'")
        #expect(diagnostics("helo /a/ and mail /b/ accept transaction").isEmpty)
        #expect(diagnostics("(auth /x/ or helo /y/) and rcpt /z/ accept transaction").isEmpty)
        #expect(diagnostic("auth /./ accept transaction")?.contains("through the auth term at 1:1") == true)
    }

    @Test func aListFileIsReadWithTheRulesAndItsErrorsArePlaced() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lists-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("r.conf").path
        try "# senders\nbad@example.com\n\n@evil.example  # whole domain\n".write(
            toFile: directory.appendingPathComponent("senders").path,
            atomically: true, encoding: .utf8)
        try "192.0.2.0/24\n2001:db8::/32\n10.0.0.0/33\n".write(
            toFile: directory.appendingPathComponent("nets").path,
            atomically: true, encoding: .utf8)
        let good = try RuleSetLoader.compile(text: "mail file \"senders\" reject\n", file: rules)
        #expect(good.rules.count == 1)
        do {
            _ = try RuleSetLoader.compile(text: "addr file \"nets\" reject\nmail file \"missing\" reject\n", file: rules)
            Issue.record("a broken list compiled")
        } catch {
            #expect(
                error.diagnostics.map(\.description)
                    == [
                        "\(directory.path)/nets:3: bad entry '10.0.0.0/33' in an addr list: prefix length 33 out of range 0-32",
                        "\(rules):2:6: list file \(directory.path)/missing: cannot read the file: no such file or directory",
                    ].sorted())
        }
    }
}
