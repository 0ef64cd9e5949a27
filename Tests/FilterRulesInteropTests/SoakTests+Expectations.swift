import Testing

extension FilterRulesInteropTests.SoakTests {
    /// Every worker ran sessions, each with a marker of its own, and each session got the
    /// replies of its kind: nothing lost, no 4xx, no dropped connection.
    static func expectAnswers(_ summary: SoakSummary, server: RealSMTPD) {
        let sessions = summary.sessions
        let failed = sessions.compactMap { session in session.mismatch.map { "\(session) — \($0)" } }
        #expect(
            failed.isEmpty,
            """
            \(failed.count) of \(sessions.count) sessions not answered as expected:
            \(failed.prefix(10).joined(separator: "\n"))
            \(server.logTail())
            """)
        #expect(Set(sessions.map(\.worker)) == Set(0..<summary.workers), "workers without sessions")
        #expect(Set(sessions.map(\.marker)).count == sessions.count, "a marker used twice")
    }

    /// Every tick reloaded or (once) refused, about one every `SoakReloader.interval` seconds.
    static func expectReloads(_ reloader: SoakReloader, server: RealSMTPD) {
        #expect(reloader.problems.isEmpty, "\(reloader.problems.joined(separator: "\n"))\n\(server.logTail())")
        #expect(reloader.ticks >= Int(duration / SoakReloader.interval) - 1, "only \(reloader.ticks) reloads")
        #expect(reloader.refusedReloads == 1, "the broken file's reload was not refused")
    }

    /// Every accepted message was delivered once and byte for byte, and no other; returns
    /// the bytes delivered.
    static func expectDeliveries(_ summary: SoakSummary, server: RealSMTPD) -> Int {
        let deliveries = SoakDeliveries(directory: server.mailDirectory)
        let accepted = summary.accepted
        #expect(
            deliveries.wait(for: accepted.count, timeout: 30),
            "\(deliveries.count) of \(accepted.count) accepted messages delivered after 30 s\n\(server.logTail())")
        let (problems, bytes) = deliveries.check(against: accepted)
        #expect(problems.isEmpty, "\(problems.count) delivery problems:\n\(problems.prefix(10).joined(separator: "\n"))")
        return bytes
    }

    /// The log agrees: one filter decision per refused session, by the rule of its kind; one
    /// failed command and one delivery per session as smtpd saw it; a reload line per reload
    /// of each variant and one refusal; no other line of the filter, and no crash.
    static func expectLog(_ summary: SoakSummary, reloader: SoakReloader, server: RealSMTPD) {
        let path = server.rulesPath
        for refusal in [SoakRules.heloRefusal, SoakRules.mailRefusal, SoakRules.rcptRefusal, SoakRules.bodyRefusal] {
            let refused = summary.count(refusedWith: refusal)
            _ = server.waitForLog(refusal.logged, count: refused, timeout: 10)
            let logged = SoakLog(text: server.log, rulesPath: path).count(refusal.logged)
            #expect(logged == refused, "the filter logged \(logged) decisions \"\(refusal.logged)\" for \(refused) sessions")
        }
        let log = SoakLog(text: server.log, rulesPath: path)
        let accepted = summary.accepted.count
        let refused = summary.sessions.count - accepted
        #expect(log.count(" smtp failed-command ") == refused, "smtpd's failed commands, \(refused) refused sessions")
        #expect(log.count(" result=Ok stat=Delivered") == accepted, "smtpd's deliveries, \(accepted) accepted")
        let reloadedA = log.count("reloaded \(path): \(SoakRules.variantARules) rules (rules format)")
        let reloadedB = log.count("reloaded \(path): \(SoakRules.variantBRules) rules (rules format)")
        #expect(
            reloadedA == reloader.variantAReloads && reloadedB == reloader.variantBReloads,
            "reload lines A \(reloadedA), B \(reloadedB); reloads A \(reloader.variantAReloads), B \(reloader.variantBReloads)")
        #expect(log.count("reload of \(path) refused, the previous rules stay in force") == 1)
        #expect(log.unexpectedFilterLines.isEmpty, "\(log.unexpectedFilterLines.prefix(10).joined(separator: "\n"))")
        #expect(log.crashLines.isEmpty, "\(log.crashLines.prefix(10).joined(separator: "\n"))")
    }
}
