import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// Signals while serving: reload, hit counts, termination, and arguments smtpd passes.
@Suite("filter-rules serve: signals and reload")
struct ServeSignalTests {
    static let oldRules = "helo /^old-spam$/ reject 550 \"5.7.1 old rules\"\n"
    static let newRules = "helo /^new-spam$/ reject 551 \"5.7.1 new rules\"\n"

    @Test("reload under load: 50 sessions run while SIGHUP swaps the rules; every query is answered; sessions keep the set they started with")
    func reloadUnderLoad() throws {
        let file = try TemporaryRulesFile(Self.oldRules)
        let (process, smtpd) = try startServing(file)
        let early = (1...50).map { UInt64(0x5000 + $0) }
        for session in early { #expect(try connect(smtpd, session: session).status == 0) }

        // Queries in flight while the file changes and SIGHUP arrives.
        try file.write(Self.newRules)
        var pending: [UInt64: UInt64] = [:]
        for (index, session) in early.enumerated() {
            if index == 25 { kill(process.pid, SIGHUP) }
            pending[try smtpd.sendQuery(.helo, session: session, extra: SMTPDDouble.heloExtra("old-spam"))] = session
        }
        while !pending.isEmpty {
            let frame = try smtpd.process.receiveFrame(timeout: 5)
            let response = try #require(ParsedResponse(frame))
            let removed = pending.removeValue(forKey: response.queryID)
            let session = try #require(removed)
            // Sessions that started before the reload keep the old rules.
            #expect(response.code == 550, "session \(session)")
        }
        #expect(waitForLog(process, containing: "reloaded \(file.path): 1 rules"))

        let late = (1...50).map { UInt64(0x6000 + $0) }
        for session in late { #expect(try connect(smtpd, session: session).status == 0) }
        for session in late {
            #expect(try heloCode(smtpd, session, "new-spam") == 551)
            #expect(try heloCode(smtpd, session, "old-spam") == 0)
        }
        for session in early { #expect(try heloCode(smtpd, session, "new-spam") == 0) }
        #expect(try smtpd.process.frameArrives(within: 0.1) == false)
        #expect(process.waitForExit(timeout: 0) == nil)
    }

    @Test("a reload with errors is refused: the errors are logged and the old rules stay")
    func badReloadKeepsOldRules() throws {
        let file = try TemporaryRulesFile(Self.oldRules)
        let (process, smtpd) = try startServing(file)
        try file.write("helo /^new-spam$/ rejct\nrcpt /a(b/ reject\n")
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reload of \(file.path) refused"))
        #expect(process.stderrText.contains("\(file.path):1:19: unknown action 'rejct'"))
        #expect(process.stderrText.contains("\(file.path):2:10: regex error: missing closing parenthesis"))
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try heloCode(smtpd, 1, "old-spam") == 550)
    }

    @Test("SIGUSR1 logs the hit count of every rule")
    func hitCounts() throws {
        let file = try TemporaryRulesFile(Self.oldRules + "mail /never/ reject\n")
        let (process, smtpd) = try startServing(file)
        for session in UInt64(1)...3 {
            #expect(try connect(smtpd, session: session).status == 0)
            #expect(try heloCode(smtpd, session, "old-spam") == 550)
        }
        kill(process.pid, SIGUSR1)
        #expect(waitForLog(process, containing: "\(file.path):2 mail hits=0 (never matched)"))
        #expect(process.stderrText.contains("\(file.path):1 helo hits=3 "))
    }

    @Test("SIGHUP right at start (before registration) does not kill the filter")
    func earlySIGHUP() throws {
        let file = try TemporaryRulesFile(Self.oldRules)
        let process = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "filter-rules"),
            name: "rules", arguments: [file.path])
        // The filter is started with SIGHUP at its default action, as smtpd 6.6+ starts it;
        // as soon as the program is loaded (before the Swift runtime runs) HUP is blocked.
        #expect(waitUntilBlocked(SIGHUP, pid: process.pid))
        kill(process.pid, SIGHUP)
        let smtpd = SMTPDDouble(process: process)
        _ = try smtpd.register(name: "rules")
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(process.waitForExit(timeout: 0) == nil)
    }

    @Test("SIGTERM ends the filter cleanly; closing the channel too")
    func termination() throws {
        let file = try TemporaryRulesFile(Self.oldRules)
        let (process, _) = try startServing(file)
        kill(process.pid, SIGTERM)
        #expect(process.waitForExit(timeout: 2) == .exited(0))
        let (second, _) = try startServing(file)
        second.channel.closeChannel()
        #expect(second.waitForExit(timeout: 2) == .exited(0))
    }

    @Test("accepts -d and -v after the rules file, and --rules FILE")
    func daemonFlags() throws {
        let file = try TemporaryRulesFile(Self.oldRules)
        let (process, smtpd) = try startServing(file, extraArguments: ["-v", "-d"])
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try heloCode(smtpd, 1, "old-spam") == 550)
        #expect(process.waitForExit(timeout: 0) == nil)
        let flagged = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "filter-rules"),
            name: "rules", arguments: ["-dv", "--rules", file.path])
        _ = try SMTPDDouble(process: flagged).register(name: "rules")
    }

    @Test("a rules file with errors at start: every error on stderr, exit 1")
    func badFileAtStart() throws {
        let file = try TemporaryRulesFile("hlo /x/ reject\nhelo /x/q reject\n")
        let process = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "filter-rules"),
            name: "rules", arguments: [file.path])
        #expect(process.waitForExit(timeout: 5) == .exited(1))
        #expect(process.stderrText.contains("\(file.path):1:1: unknown stage 'hlo'"))
        #expect(process.stderrText.contains("\(file.path):2:9: unknown flag 'q'"))
    }
}

/// Waits (up to 2 s) until `signal` shows as blocked in /proc/PID/status of the process:
/// the program has been loaded and its load-time constructor has run.
func waitUntilBlocked(_ signal: Int32, pid: pid_t) -> Bool {
    let deadline = Date().addingTimeInterval(2)
    while Date() < deadline {
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
            let mask = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16),
            mask & (1 << UInt64(signal - 1)) != 0
        {
            return true
        }
        usleep(200)
    }
    return false
}
