import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// 100 SIGHUPs while queries are in flight: every query answered exactly once, by the rules
/// (the file does not change, so every answer is the same), the same process throughout.
@Suite("filter-rules serve: 100 SIGHUPs during traffic")
struct HangupStormTests {
    static let rules = "helo /^spam$/ reject 550 \"5.7.1 spam\"\nbody /^unsubscribe$/ reject\n"
    static let signals = 100
    static let sessions: [UInt64] = (1...20).map { UInt64(0x4800 + $0) }

    @Test("filter API 52: nothing lost, same pid")
    func v52() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file)
        for session in Self.sessions { #expect(try connect(smtpd, session: session).status == 0) }
        let pid = process.pid
        for round in 0..<Self.signals {
            var pending: [UInt64: UInt64] = [:]
            for (index, session) in Self.sessions.enumerated() {
                if index == round % Self.sessions.count { kill(pid, SIGHUP) }
                pending[try smtpd.sendQuery(.helo, session: session, extra: SMTPDDouble.heloExtra("spam"))] = session
            }
            while !pending.isEmpty {
                let response = try #require(ParsedResponse(try smtpd.process.receiveFrame(timeout: 5)))
                #expect(pending.removeValue(forKey: response.queryID) != nil, "an answer to no pending query: \(response)")
                #expect(response.code == 550)
            }
        }
        #expect(try smtpd.process.frameArrives(within: 0.1) == false)
        #expect(waitForLog(process, containing: "reloaded \(file.path)"))
        #expect(process.waitForExit(timeout: 0) == nil && process.pid == pid)
    }

    @Test("line protocol: nothing lost, same pid")
    func line() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd, _) = try startLineServing(file)
        for session in Self.sessions {
            try smtpd.report("link-connect", session: session, parameters: "client.example|pass|192.0.2.7:4000|192.0.2.1:25")
        }
        let pid = process.pid
        for round in 0..<Self.signals {
            var pending: Set<String> = []
            for (index, session) in Self.sessions.enumerated() {
                if index == round % Self.sessions.count { kill(pid, SIGHUP) }
                let token = smtpd.token()
                pending.insert("\(LineDaemonDouble.hex(session))|\(LineDaemonDouble.hex(token))")
                try smtpd.request("helo", session: session, token: token, parameters: Array("spam".utf8))
            }
            while !pending.isEmpty {
                let answer = try smtpd.receiveLine(timeout: 5)
                let fields = answer.split(separator: "|", omittingEmptySubsequences: false)
                #expect(fields.count >= 5 && pending.remove("\(fields[1])|\(fields[2])") != nil, "unexpected answer \(answer)")
                #expect(answer.hasSuffix("|reject|550 5.7.1 spam"))
            }
        }
        #expect(try smtpd.lineArrives(within: 0.1) == false)
        #expect(waitForLog(process, containing: "reloaded \(file.path)"))
        #expect(process.waitForExit(timeout: 0) == nil && process.pid == pid)
    }
}
