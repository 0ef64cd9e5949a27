import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// 1,000 concurrent sessions and 3,000 messages of awkward content (binary bytes, empty
/// messages, lone dots, CRLF, no final newline, 1 MiB lines) through the real filter-rules
/// on each protocol: every query answered exactly once, every message back byte for byte
/// (with its length in the EOM answer on v52), and the filter's memory bounded.
@Suite("filter-rules serve: load through the daemon doubles", .serialized)
struct LoadTests {
    static let sessions = 1_000
    static let messagesPerSession = 3
    /// Rules on every stage that the content cannot match, so every message is scanned and accepted.
    static let rules = """
        helo /^zq00042xx$/ reject
        mail /zq00042xx/ reject
        header Subject /zq00042xx/ reject
        body /^zq00042xx never$/ reject
        dataline /zq00042xx/ reject

        """
    /// Allowed growth of the filter's resident memory over the run (KiB): 8.6 MiB (v52) and
    /// 3.8 MiB (line) were measured with these seeds.
    static let rssGrowthBoundKiB = 64 << 10
    static let timeout = 50.0

    @Test("filter API 52: 1,000 sessions, 3,000 messages through the data pipes")
    func v52() throws {
        let limit = DescriptorLimit.raise(to: 8192)
        let (process, smtpd) = try startServing(try TemporaryRulesFile(Self.rules))
        var content = LoadMessages(seed: 52)
        let messages = (0..<Self.sessions).map { _ in (0..<Self.messagesPerSession).map { _ in content.nextPipeMessage() } }
        let before = try #require(process.residentKilobytes)
        let driver = V52LoadDriver(smtpd: smtpd, messages: messages, maximumDataPhases: min(Self.sessions, (limit - 64) / 3))
        let report = try driver.run(timeout: Self.timeout)
        let after = try #require(process.residentKilobytes)
        #expect(report.messages == Self.sessions * Self.messagesPerSession)
        #expect(report.queries == Self.sessions * (2 + 4 * Self.messagesPerSession))
        #expect(after - before < Self.rssGrowthBoundKiB, "RSS \(before) -> \(after) KiB; \(report)")
        #expect(process.waitForExit(timeout: 0) == nil)
        #expect(!process.stderrText.contains("error"), "\(process.stderrText.suffix(2000))")
    }

    @Test("line protocol: 1,000 sessions, 3,000 messages as data lines")
    func line() throws {
        let (process, smtpd, registration) = try startLineServing(try TemporaryRulesFile(Self.rules))
        #expect(registration.contains("register|filter|smtp-in|data-line"))
        var content = LoadMessages(seed: 66)
        let messages = (0..<Self.sessions).map { _ in (0..<Self.messagesPerSession).map { _ in content.nextDataLines() } }
        let before = try #require(process.residentKilobytes)
        let report = try LineLoadDriver(smtpd: smtpd, messages: messages).run(timeout: Self.timeout)
        let after = try #require(process.residentKilobytes)
        #expect(report.messages == Self.sessions * Self.messagesPerSession)
        #expect(report.requests == Self.sessions * (2 + 3 * Self.messagesPerSession))
        #expect(after - before < Self.rssGrowthBoundKiB, "RSS \(before) -> \(after) KiB; \(report)")
        #expect(process.waitForExit(timeout: 0) == nil)
        #expect(!process.stderrText.contains("error"), "\(process.stderrText.suffix(2000))")
    }
}
