import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// The installed filter-rules under test, e.g. /usr/bin/filter-rules (`FILTER_RULES_INSTALLED`).
enum InstalledFilter {
    /// Its path; nil when the variable is not set.
    static let executable = ProcessInfo.processInfo.environment["FILTER_RULES_INSTALLED"]
}

extension FilterRulesInteropTests {
    /// The issue's "done when" for the Debian package: smtpd runs the installed binary
    /// (`FILTER_RULES_INSTALLED`, set by scripts/test-deb after `dpkg -i`) on a machine
    /// without the Swift toolchain, which a mount namespace makes of this one.
    @Suite(
        "the installed package under smtpd, toolchain hidden",
        .enabled(if: InstalledFilter.executable != nil, "FILTER_RULES_INSTALLED is not set: scripts/test-deb runs this suite"))
    struct InstalledPackageTests {
        @Test("a HELO rule answers its code; a clean message is delivered byte for byte; the filter saw no toolchain")
        func heloRuleAndCleanDelivery() throws {
            let executable = try #require(InstalledFilter.executable)
            let toolchain = try HiddenToolchain()
            try withRealSMTPD(filter: .installed(executable: executable, rules: StageRules.text), hiding: toolchain) { server in
                let filter = try #require(server.filterPIDs.first, "no \(executable) process\n\(server.logTail())")
                #expect(ProcessTable.arguments(of: filter).first == executable)
                for directory in toolchain.runtimeLibraryDirectories {
                    // The filter's own view of the file system: the toolchain's runtime is not there.
                    let probe = "/proc/\(filter)/root\(directory)/\(HiddenToolchain.probeLibrary)"
                    #expect(access(probe, F_OK) != 0 && errno == ENOENT, "\(probe) is visible to the filter")
                    #expect(access(directory + "/" + HiddenToolchain.probeLibrary, F_OK) == 0, "the test's own view lost \(directory)")
                }
                // smtpd's control socket is in its private /run.
                #expect(access("/proc/\(server.pid)/root/run/smtpd.sock", F_OK) == 0, "\(server.logTail())")

                let refused = try server.session(SMTPSessionPlan(greeting: "helo", name: "helo-reject.example"))
                #expect(
                    refused.refusal?.stage == "helo" && refused.refusal?.code == 550
                        && refused.refusal?.text == "5.7.1 HELO refused by interop rule", "\(refused)\n\(server.logTail())")
                #expect(
                    server.waitForLog("\(server.rulesPath):\(StageRules.line(of: "5.7.1 HELO refused by interop rule")) reject 550", timeout: 5),
                    "\(server.logTail())")

                let message = InteropMessage.sample()
                let accepted = try server.session(SMTPSessionPlan(message: message.bytes))
                #expect(accepted.refusal == nil && accepted.reply(at: "message")?.code == 250, "\(accepted)\n\(server.logTail())")
                let delivered = try #require(server.waitForDelivery(containing: message.marker), "not delivered\n\(server.logTail())")
                let content = InteropMessage.withoutTraceHeaders(delivered)
                let intact = content == message.bytes
                #expect(intact, "\(content.firstDifference(from: message.bytes))")
            }
        }
    }
}
