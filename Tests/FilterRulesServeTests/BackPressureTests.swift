import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// A daemon that keeps sending queries but never reads the answers cannot grow the filter's
/// memory: the filter stops reading while its answers are unsent (1 MiB on filter API 52,
/// 64 KiB on the line protocol), so the daemon's writes block; once the daemon reads, every
/// answer arrives, none lost.
@Suite("filter-rules serve: a daemon that does not read")
struct BackPressureTests {
    static let rules = "helo /^spam$/ reject\nbody /^unsubscribe$/ reject\n"
    /// How long the daemon keeps trying to send after the filter stopped reading.
    static let pushSeconds = 2.0
    /// Allowed growth of the filter's resident memory while the daemon pushes (KiB): the
    /// bounded buffers are a few MiB; without back-pressure it grows by tens of MiB a second.
    static let rssGrowthBoundKiB = 24 << 10
    /// Bytes the daemon may get into the filter before it must have stopped reading.
    static let inputBound = 32 << 20

    /// Sends `batch` until the filter stops reading, then keeps trying for `pushSeconds`;
    /// returns how many batches were sent and the filter's RSS growth meanwhile.
    func push(_ batch: [UInt8], over channel: DaemonChannel, filter: FilterProcess) throws -> (batches: Int, growthKiB: Int) {
        let before = try #require(filter.residentKilobytes)
        var batches = try channel.sendUntilBlocked(batch, quietMilliseconds: 300, maximumBytes: Self.inputBound)
        let deadline = Date().addingTimeInterval(Self.pushSeconds)
        while Date() < deadline {
            batches += try channel.sendUntilBlocked(batch, quietMilliseconds: 50, maximumBytes: Self.inputBound)
        }
        let after = try #require(filter.residentKilobytes)
        return (batches, after - before)
    }

    @Test("filter API 52: the filter stops reading at its bound, RSS stays bounded, then every answer arrives")
    func v52() throws {
        let (process, smtpd) = try startServing(try TemporaryRulesFile(Self.rules))
        #expect(try connect(smtpd, session: 1).status == 0)
        let query = Wire.frame(
            type: Wire.query,
            payload: Wire.queryPayload(
                session: 1, queryID: 0x77, query: .helo,
                extra: SMTPDDouble.heloExtra("spam")))
        let perBatch = 64
        let (batches, growth) = try push(Array([[UInt8]](repeating: query, count: perBatch).joined()), over: smtpd.process, filter: process)
        #expect(batches * perBatch * query.count < Self.inputBound, "the filter kept reading: \(batches) batches")
        #expect(growth < Self.rssGrowthBoundKiB, "RSS grew by \(growth) KiB")
        for index in 0..<(batches * perBatch) {
            let response = try #require(ParsedResponse(try smtpd.process.receiveFrame(timeout: 5)), "answer \(index)")
            #expect(response.queryID == 0x77 && response.status == 1)
            if response.status != 1 { break }
        }
        #expect(try smtpd.process.frameArrives(within: 0.1) == false)
        #expect(try smtpd.ask(.helo, session: 1, extra: SMTPDDouble.heloExtra("ok.example")).status == 0)
    }

    @Test(
        "line protocol (blocking or non-blocking fd): reading stops while an answer is unsent, RSS stays bounded, then every answer arrives",
        arguments: [true, false])
    func line(nonBlocking: Bool) throws {
        let rules = try TemporaryRulesFile(Self.rules)
        let process = try FilterProcess(
            executable: FilterProcess.builtExecutable(named: "filter-rules"),
            name: "filter-rules", arguments: [rules.path], nonBlocking: nonBlocking,
            channelOnStandardOutput: true)
        let smtpd = LineDaemonDouble(process: process)
        _ = try smtpd.handshake()
        try smtpd.report("link-connect", session: 1, parameters: "client.example|pass|192.0.2.7:4000|192.0.2.1:25")
        let request = Array("filter|0.6|1764060000.000002|smtp-in|helo|0000000000000001|0000000000000077|spam\n".utf8)
        let perBatch = 40
        let (batches, growth) = try push(
            Array([[UInt8]](repeating: request, count: perBatch).joined()),
            over: smtpd.process.channel, filter: process)
        #expect(batches * perBatch * request.count < Self.inputBound, "the filter kept reading: \(batches) batches")
        #expect(growth < Self.rssGrowthBoundKiB, "RSS grew by \(growth) KiB")
        for index in 0..<(batches * perBatch) {
            let answer = try smtpd.receiveLine(timeout: 5)
            #expect(answer.hasPrefix("filter-result|0000000000000001|0000000000000077|reject|"), "answer \(index): \(answer)")
            if !answer.hasPrefix("filter-result|") { break }
        }
        #expect(try smtpd.lineArrives(within: 0.1) == false)
        #expect(try smtpd.query("helo", session: 1, parameters: "ok.example").hasSuffix("|proceed"))
    }
}
