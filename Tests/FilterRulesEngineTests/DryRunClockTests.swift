import FilterRules
@testable import FilterRulesEngine
import RuleStores
import Testing
import TestSupport

@Suite("Dry-run: the run's clock")
struct DryRunClockTests {
    @Test("'#! time +D' before the first command delays the session; between commands it is a wait")
    func directives() throws {
        let transcript = try TranscriptParser.parse(
            "#! time +6m\n#! time +30s\nEHLO x.example\n#! time +2h\nMAIL FROM:<a@b.example>\n", name: "t")
        #expect(transcript.startsAfter == 390_000)
        #expect(transcript.steps.map(\.kind) == [.helo("x.example"), .wait(7_200_000), .mail("a@b.example")])
        #expect(throws: TranscriptError.self) { try TranscriptParser.parse("#! time 6m\n", name: "t") }
        #expect(throws: TranscriptError.self) { try TranscriptParser.parse("#! time +6w\n", name: "t") }
    }

    @Test("a wait inside a session moves the clock between its steps: a limit's rate frees up")
    func waitInsideSession() throws {
        let set = try RuleSetLoader.compile(text: "limit l addr 1/1h\nrcpt over l tempfail\n", file: "r")
        let clock = DryRunClock(start: 1_000_000)
        let store = RuleSetStore(ruleSet: set, stores: RuleStoreAccess(store: MemoryStore(logger: .quiet), now: { clock.now }))
        let replayer = TranscriptReplayer(store: store, clock: clock)
        let transcript = try TranscriptParser.parse(
            "EHLO x\nMAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>\nRCPT TO:<e@d.example>\n#! time +1h\nRCPT TO:<f@d.example>\n", name: "t")
        let report = replayer.replay(transcript)
        #expect(report.steps.filter { $0.step == "rcpt" }.map(\.answer) == ["accept", "tempfail", "accept"])
        #expect(clock.now == 1_000_000 + 3_600_000)
    }
}
