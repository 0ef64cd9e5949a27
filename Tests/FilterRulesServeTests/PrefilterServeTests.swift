import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// `filter-rules serve` with the Vectorscan prefilter: it registers at once, logs when each
/// stage's database is live, decides by the rules, loads the database from its cache at the
/// next start, swaps a reloaded set in only once its database is built, and with
/// `--prefilter off` tries every rule with PCRE2.
@Suite("filter-rules serve: the Vectorscan prefilter")
struct PrefilterServeTests {
    /// 300 dataline rules and a HELO rule; the last dataline rule matches `spamLine`.
    static let rules =
        (0..<300).map { "dataline /offer number \($0) ends (?:today|now)\\b/i reject" }.joined(separator: "\n")
        + "\nhelo /^spam\\.example$/ reject 550 \"5.7.1 go away\"\n"
    static let spamLine = "This OFFER number 299 ends NOW!"

    private func cacheDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prefilter-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700])
        return path
    }

    /// The EOM status of a message with `line` in its body.
    private func messageStatus(_ smtpd: SMTPDDouble, session: UInt64, line: String) throws -> Int32 {
        try smtpd.event(.txBegin, session: session)
        _ = try smtpd.ask(.data, session: session)
        let message = Array("Subject: probe\n\n\(line)\n".utf8)
        let pushed = try smtpd.pushMessage(message, session: session, timeout: 30)
        try smtpd.event(.txRollback, session: session)
        return pushed.response.status
    }

    @Test("live after start, decides, and the next start loads the database from the cache")
    func liveAndCached() throws {
        let cache = try cacheDirectory()
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file, extraArguments: ["-v", "--prefilter-cache", cache])
        #expect(
            waitForLog(
                process,
                containing: "prefilter live for dataline: 300 rules by their literals, 0 in Vectorscan regex databases, 0 always tried with PCRE2, built in",
                timeout: 60))
        #expect(waitForLog(process, containing: "prefilter live for helo: 1 rules by their literals"))
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try smtpd.ask(.helo, session: 1, extra: SMTPDDouble.heloExtra("spam.example")).code == 550)
        #expect(try messageStatus(smtpd, session: 1, line: Self.spamLine) != 0)
        #expect(try messageStatus(smtpd, session: 1, line: "offer number 299 ends tomorrow") == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasSuffix(".hsdb") }.count == 2)

        let (again, _) = try startServing(file, extraArguments: ["-v", "--prefilter-cache", cache])
        #expect(
            waitForLog(
                again,
                containing:
                    "prefilter live for dataline: 300 rules by their literals, 0 in Vectorscan regex databases, 0 always tried with PCRE2, loaded from the cache in",
                timeout: 60))
    }

    @Test("a reload is swapped in after its database is live, and the new rules decide")
    func reloadSwapsAfterBuilding() throws {
        let cache = try cacheDirectory()
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file, extraArguments: ["-v", "--prefilter-cache", cache])
        #expect(waitForLog(process, containing: "prefilter live for dataline", timeout: 60))
        try file.write(Self.rules + "dataline /brand new rule/ reject\n")
        kill(process.pid, SIGHUP)
        #expect(waitForLog(process, containing: "reloaded \(file.path): 302 rules", timeout: 60))
        let log = process.stderrText
        let reloaded = try #require(log.range(of: "reloaded \(file.path)"))
        let secondLive = try #require(log.range(of: "prefilter live for dataline: 301 rules by their literals"))
        #expect(secondLive.lowerBound < reloaded.lowerBound, "\(log)")
        #expect(try connect(smtpd, session: 2).status == 0)
        #expect(try messageStatus(smtpd, session: 2, line: "a brand new rule") != 0)
    }

    @Test("the first step is live when the filter registers; rules without literals decide while their parts build")
    func firstStepBeforeRegistering() throws {
        let cache = try cacheDirectory()
        // 2,000 rules with literals, and 40 without (a bounded repeat each: slow to compile).
        let rules =
            (0..<2_000).map { "dataline /\\bfree\\s+zq\($0)x\\b/i reject" }.joined(separator: "\n") + "\n"
            + (1...40).map { "dataline /^[0-9]{5}-[a-z]{3}[0-9]{\($0 * 5)}$/ reject" }.joined(separator: "\n") + "\n"
        let file = try TemporaryRulesFile(rules)
        let (process, smtpd) = try startServing(file, extraArguments: ["-v", "--prefilter-cache", cache])
        let log = process.stderrText
        #expect(
            log.contains("prefilter first step live for dataline: 2000 rules by their literals") || log.contains("prefilter live for dataline: 2000 rules"),
            "\(log)")
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try messageStatus(smtpd, session: 1, line: "FREE zq1999x today") != 0)
        #expect(try messageStatus(smtpd, session: 1, line: "12345-abc" + String(repeating: "7", count: 200)) != 0)
        #expect(try messageStatus(smtpd, session: 1, line: "12345-abc" + String(repeating: "7", count: 201)) == 0)
        #expect(waitForLog(process, containing: "prefilter live for dataline: 2000 rules by their literals, 40 in Vectorscan regex databases", timeout: 120))
        #expect(try messageStatus(smtpd, session: 1, line: "12345-abc" + String(repeating: "7", count: 5)) != 0)
    }

    @Test("--prefilter off: said in the log, and the rules still decide")
    func off() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, smtpd) = try startServing(file, extraArguments: ["-v", "--prefilter", "off"])
        #expect(waitForLog(process, containing: "prefilter off (--prefilter off): every rule is tried with PCRE2"))
        #expect(try connect(smtpd, session: 1).status == 0)
        #expect(try messageStatus(smtpd, session: 1, line: Self.spamLine) != 0)
        #expect(!process.stderrText.contains("prefilter live"))
    }

    @Test("an unusable cache directory is logged and the prefilter goes live without it")
    func unusableCache() throws {
        let cache = try cacheDirectory()
        chmod(cache, 0o777)
        let file = try TemporaryRulesFile(Self.rules)
        let (process, _) = try startServing(file, extraArguments: ["-v", "--prefilter-cache", cache])
        #expect(waitForLog(process, containing: "prefilter cache off: \(cache) is writable by others"))
        #expect(waitForLog(process, containing: "prefilter live for dataline", timeout: 60))
    }
}
