import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// The release binaries `make` builds (`--static-swift-stdlib`), found through
/// `FILTER_RULES_RELEASE_DIR`, which scripts/test sets after building them. Without it the
/// suite is skipped, except in CI (`CI=true`), where it must run.
enum ReleaseBinaries {
    /// The directory holding the release `filter-rules` and `table-pcre`.
    static let directory = ProcessInfo.processInfo.environment["FILTER_RULES_RELEASE_DIR"]
    /// Whether this run must check them (CI).
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"
    /// Whether the suite runs: hiding the toolchain takes a mount namespace, so root.
    static let runs = required || (directory != nil && geteuid() == 0)

    /// The path of `program` in ``directory``; a failure when the directory is not given.
    static func path(_ program: String) throws -> String {
        let directory = try #require(directory, "FILTER_RULES_RELEASE_DIR is not set: scripts/test builds the release binaries (make) and sets it")
        try #require(geteuid() == 0, "hiding the toolchain (unshare -m, mount) needs root")
        let path = directory + "/" + program
        try #require(access(path, X_OK) == 0, "\(path) is not an executable")
        return path
    }
}

@Suite(
    "release binaries run without the Swift toolchain",
    .enabled(if: ReleaseBinaries.runs, "FILTER_RULES_RELEASE_DIR unset or not root: the release binaries are checked by scripts/test"))
struct ReleaseBinaryTests {
    let toolchain: HiddenToolchain

    init() throws { toolchain = try HiddenToolchain() }

    @Test("ldd lists no library of the toolchain and none missing", arguments: ["filter-rules", "table-pcre"])
    func sharedLibraries(program: String) throws {
        let result = try runProgram("/usr/bin/ldd", [try ReleaseBinaries.path(program)])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("libc.so.6"), "\(result.standardOutput)")
        #expect(!result.standardOutput.contains(toolchain.root + "/"), "\(result.standardOutput)")
        #expect(!result.standardOutput.contains("not found"), "\(result.standardOutput)")
        #expect(!result.standardOutput.contains("libswift"), "\(result.standardOutput)")
    }

    @Test("the hiding works: the debug build, linked to the toolchain's runtime, cannot start")
    func debugBuildNeedsTheToolchain() throws {
        let debug = FilterProcess.builtExecutable(named: "filter-rules")
        let visible = try runProgram(debug, ["--version"])
        #expect(visible.status == 0, "\(visible.standardError)")
        let hidden = try toolchain.run([debug, "--version"])
        #expect(hidden.status == 127, "status \(hidden.status): \(hidden.standardError)")
        #expect(hidden.standardError.contains("error while loading shared libraries: libswift"), "\(hidden.standardError)")
    }

    @Test("--version of both programs", arguments: ["filter-rules", "table-pcre"])
    func version(program: String) throws {
        let result = try toolchain.run([try ReleaseBinaries.path(program), "--version"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "\(try declaredVersion())\n")
    }

    @Test("filter-rules check passes rules.example; table-pcre check reads a map")
    func checks() throws {
        let rules = try toolchain.run([try ReleaseBinaries.path("filter-rules"), "check", repositoryRoot + "/rules.example"])
        #expect(rules.status == 0, "\(rules.standardError)")
        #expect(rules.standardOutput.contains("rules.example: OK, "), "\(rules.standardOutput)")
        let map = try TemporaryFile("/^(postmaster|abuse)@/ root\n/^([^@]+)@example\\.org$/ $1\n", name: "aliases.pcre")
        let table = try toolchain.run([try ReleaseBinaries.path("table-pcre"), "check", map.path])
        #expect(table.status == 0, "\(table.standardError)")
        #expect(table.standardOutput == "\(map.path): OK, 2 entries, 1 without group references\n")
        let lookup = try toolchain.run([try ReleaseBinaries.path("table-pcre"), "lookup", map.path, "jane@example.org"])
        #expect(lookup.status == 0 && lookup.standardOutput == "jane\n", "\(lookup.standardOutput)\(lookup.standardError)")
    }

    @Test("filter-rules serves a line-protocol session: a HELO rule's code, a clean message byte for byte")
    func servesASession() throws {
        let rules = try TemporaryFile(
            """
            helo /^bad\\.example$/ reject 550 "5.7.1 Not you"
            body /^never-in-this-message$/ reject
            """)
        let (process, smtpd) = try startLineSession(
            toolchain.command([try ReleaseBinaries.path("filter-rules"), rules.path]),
            session: 0x51)
        let session: UInt64 = 0x51
        #expect(
            try smtpd.query("helo", session: session, parameters: "bad.example")
                == "filter-result|0000000000000051|0000000000001001|reject|550 5.7.1 Not you")
        #expect(
            try smtpd.query("helo", session: session, parameters: "good.example")
                == "filter-result|0000000000000051|0000000000001002|proceed")
        let lines: [[UInt8]] = [Array("Subject: hello".utf8), [], Array("..dot-stuffed".utf8), [0xff, 0xfe]]
        #expect(try smtpd.message(lines, session: session) == lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: session) == "filter-result|0000000000000051|0000000000001004|proceed")
        process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 5) == .exited(0), "\(process.stderrText)")
    }

    @Test("without Vectorscan's library filter-rules runs on PCRE2 alone, says so once, and its rules decide")
    func withoutVectorscan() throws {
        let library = try #require(
            FileManager.default.destinationOfSymbolicLinkIfPresent("/usr/lib/x86_64-linux-gnu/libhs.so.5"),
            "libvectorscan5 is installed (scripts/test installs libvectorscan-dev)")
        #expect(!(try runProgram("/usr/bin/ldd", [try ReleaseBinaries.path("filter-rules")]).standardOutput.contains("libhs")))
        let rules = try TemporaryFile(
            """
            helo /^bad\\.example$/ reject 550 "5.7.1 Not you"
            dataline /cheap (?:pills|watches) online/i reject 554 "5.7.1 No spam"
            """)
        // /dev/null bound over the library, in a mount namespace of the filter's own.
        let hideLibrary = [
            "/usr/bin/unshare", "-m", "/bin/sh", "-c", "mount --bind /dev/null \"$1\" || exit 97; shift; exec \"$@\"",
            "hide-libhs", library,
        ]
        let (process, smtpd) = try startLineSession(
            hideLibrary + toolchain.command([try ReleaseBinaries.path("filter-rules"), rules.path]),
            session: 0x52)
        let session: UInt64 = 0x52
        #expect(
            try smtpd.query("helo", session: session, parameters: "bad.example")
                == "filter-result|0000000000000052|0000000000001001|reject|550 5.7.1 Not you")
        let lines: [[UInt8]] = [Array("Subject: offer".utf8), [], Array("Cheap WATCHES online!".utf8)]
        #expect(try smtpd.message(lines, session: session) == lines + [[UInt8(ascii: ".")]])
        #expect(try smtpd.query("commit", session: session) == "filter-result|0000000000000052|0000000000001003|reject|554 5.7.1 No spam")
        process.channel.closeChannel()
        #expect(process.waitForExit(timeout: 5) == .exited(0), "\(process.stderrText)")
        let log = process.stderrText
        #expect(log.components(separatedBy: "prefilter off: the Vectorscan library cannot be opened (install libvectorscan5)").count == 2, "\(log)")
        #expect(!log.contains("prefilter live"))
    }
}

/// Starts the line-protocol filter `argv` (argv[0] the program), registers it and opens
/// `session` (a `link-connect` report).
private func startLineSession(_ argv: [String], session: UInt64) throws -> (FilterProcess, LineDaemonDouble) {
    let process = try FilterProcess(
        executable: argv[0], name: argv[0], arguments: Array(argv.dropFirst()),
        channelOnStandardOutput: true)
    let smtpd = LineDaemonDouble(process: process)
    let registration = try smtpd.handshake(timeout: 10)
    #expect(registration.last == "register|ready", "\(registration)\n\(process.stderrText)")
    try smtpd.report("link-connect", session: session, parameters: "mx.client.example|pass|192.0.2.7:40000|192.0.2.1:25")
    return (process, smtpd)
}

extension FileManager {
    /// The file `path` names, following a symbolic link (relative to its directory); nil
    /// when there is nothing there.
    func destinationOfSymbolicLinkIfPresent(_ path: String) -> String? {
        guard fileExists(atPath: path) else { return nil }
        guard let target = try? destinationOfSymbolicLink(atPath: path) else { return path }
        return target.hasPrefix("/") ? target : (path as NSString).deletingLastPathComponent + "/" + target
    }
}
