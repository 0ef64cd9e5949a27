import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// A burst of SIGHUPs while a large rule set reloads, the file rewritten before each: at most
/// the reload running and one more are done (not one per signal), and the last file is in force.
@Suite("filter-rules serve: a burst of SIGHUPs coalesces")
struct HangupBurstTests {
    /// 2,000 rcpt rules with the prefilter (so a reload takes a while in a debug build), and
    /// a HELO rule naming the file's version.
    static func rules(version: Int) -> String {
        (0..<2_000).map { "rcpt /^(?:user\($0)|role\($0)-[a-z]+)@example\\.(?:org|net)$/i reject\n" }.joined()
            + "helo /^version-\(version)$/ reject 550 \"5.7.1 version \(version)\"\n"
    }

    @Test("100 SIGHUPs 20 ms apart: two reloads at most, the last file decides", .timeLimit(.minutes(5)))
    func burst() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("hup-burst-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(
            atPath: cache, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let file = try TemporaryRulesFile(Self.rules(version: 0))
        let (process, smtpd) = try startServing(file, extraArguments: ["-v", "--prefilter-cache", cache])
        #expect(waitForLog(process, containing: "prefilter live for rcpt", timeout: 120))
        #expect(try connect(smtpd, session: 1).status == 0)
        for version in 1...100 {
            try file.write(Self.rules(version: version))
            kill(process.pid, SIGHUP)
            usleep(20_000)
        }
        #expect(waitForLog(process, containing: "reloaded \(file.path)", timeout: 120))
        usleep(500_000)
        #expect(try connect(smtpd, session: 2).status == 0, "a session started after the reload has the new rules")
        let answer = try smtpd.ask(.helo, session: 2, extra: SMTPDDouble.heloExtra("version-100"))
        #expect(answer.code == 550, "the last file is in force")
        if answer.code != 550 { print(process.stderrText.split(separator: "\n").filter { !$0.contains("prefilter live") }.suffix(30).joined(separator: "\n")) }
        let started = logCount(process, "SIGHUP: reloading \(file.path)")
        #expect(started <= 2, "\(started) reloads for one burst")
        #expect(logCount(process, "reloaded \(file.path)") == 1)
        #expect(process.waitForExit(timeout: 0) == nil)
    }
}
