import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

extension FilterRulesInteropTests {
    /// SIGHUP to the filter process that smtpd started.
    @Suite("filter-rules under smtpd: reload")
    struct ReloadTests {
        @Test("SIGHUP swaps the rules between two sessions; the filter process stays the same")
        func hangupSwapsRules() throws {
            try withRealSMTPD(rules: "helo /^reload-never\\.example$/ reject\n") { server in
                let before = try server.session(SMTPSessionPlan(name: "reload.example"))
                #expect(before.refusal == nil && before.reply(at: "rcpt")?.code == 250, "\(before)\n\(server.logTail())")

                let pids = server.filterPIDs
                let filter = try #require(pids.first, "no filter process\n\(server.logTail())")
                #expect(pids.count == 1, "filter processes: \(pids)")
                try server.writeRules("helo /^reload\\.example$/ reject 550 \"5.7.1 Refused after reload\"\n")
                #expect(kill(filter, SIGHUP) == 0)
                #expect(server.waitForLog("reloaded \(server.rulesPath)"), "no reload logged\n\(server.logTail())")

                let after = try server.session(SMTPSessionPlan(name: "reload.example"))
                #expect(
                    after.refusal?.stage == "ehlo" && after.refusal?.code == 550 && after.refusal?.text == "5.7.1 Refused after reload",
                    "\(after)\n\(server.logTail())")
                #expect(server.filterPIDs == [filter], "the filter was restarted or died: \(server.filterPIDs)")
                #expect(server.isRunning, "smtpd died\n\(server.logTail())")
            }
        }

        @Test("filter-rules reload FILE finds the filter smtpd runs through its shell and signals only it; helo rules a file without any gains apply")
        func reloadCommand() throws {
            // No helo rule at start: the helo phases are registered all the same.
            try withRealSMTPD(rules: "rcpt /^reload-never@/ reject\n") { server in
                let filter = try #require(server.filterPIDs.first, "no filter process\n\(server.logTail())")
                try server.writeRules("helo /^reload\\.example$/ reject 550 \"5.7.1 Refused after reload\"\n")
                let result = try runProgram(FilterProcess.builtExecutable(named: "filter-rules"), ["reload", server.rulesPath])
                #expect(result.status == 0, "\(result.standardError)\n\(server.logTail())")
                #expect(result.standardOutput == "signalled 1 filter-rules process(es) serving \(server.rulesPath): \(filter)\n")
                #expect(server.waitForLog("reloaded \(server.rulesPath)"), "no reload logged\n\(server.logTail())")

                let after = try server.session(SMTPSessionPlan(name: "reload.example"))
                #expect(after.refusal?.stage == "ehlo" && after.refusal?.code == 550, "\(after)\n\(server.logTail())")
                #expect(server.filterPIDs == [filter], "the filter was restarted or died: \(server.filterPIDs)")
                #expect(server.isRunning, "smtpd died\n\(server.logTail())")
            }
        }
    }
}
