import FilterRules
import FilterRulesEngine
import Logging
import Testing
import TestSupport

/// The line adapter's session table follows the library's bound: sessions refused at the
/// bound cost no engine, and engines go with their sessions.
@Suite("Line adapter: session bound")
struct LineRulesFilterBoundTests {
    @Test("at the library's bound no engine is made for a new session; disconnects free them")
    func engineTableIsBounded() throws {
        let store = RuleSetStore(ruleSet: try RuleSetLoader.compile(text: "helo /^spam$/ reject\n", file: "rules"))
        let rules = LineRulesFilter(store: store, logger: .quiet)
        rules.filter.maximumSessions = 3
        func send(_ line: String) throws -> String {
            String(decoding: try rules.filter.handle(line: Array(line.utf8)), as: UTF8.self)
        }
        for session in 1...10 {
            _ = try send("report|0.6|1.0|smtp-in|link-connect|\(session)|a|pass|192.0.2.7:1|192.0.2.1:25")
            _ = try send("filter|0.6|1.0|smtp-in|connect|\(session)|\(session)|a|192.0.2.7")
            _ = try send("filter|0.6|1.0|smtp-in|helo|\(session)|\(session)|spam")
        }
        #expect(rules.sessionCount == 3)
        #expect(try send("filter|0.6|1.0|smtp-in|helo|2|ff|spam").contains("|reject|550 "))
        #expect(try send("filter|0.6|1.0|smtp-in|helo|9|ff|spam").contains("|disconnect|421 "))
        for session in 1...10 { _ = try send("report|0.6|1.0|smtp-in|link-disconnect|\(session)") }
        #expect(rules.sessionCount == 0)
    }
}
