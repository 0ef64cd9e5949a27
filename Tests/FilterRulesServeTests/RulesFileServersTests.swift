@testable import filter_rules
import Foundation
import Testing

/// ``RulesFileServers`` over a directory laid out as /proc, with processes that do and do
/// not serve a rules file.
@Suite("Finding the processes that serve a rules file")
struct RulesFileServersTests {
    /// A fake /proc and a rules file beside it; removed at the end.
    final class FakeProcessTable {
        let top: URL
        var root: String { top.appendingPathComponent("proc").path }
        var rulesDirectory: String { top.appendingPathComponent("etc").path }
        var rulesFile: String { rulesDirectory + "/rules.conf" }

        init() throws {
            top = FileManager.default.temporaryDirectory.appendingPathComponent("proc-\(UUID().uuidString)")
            try FileManager.default.createDirectory(atPath: rulesDirectory, withIntermediateDirectories: true)
            try Data("helo /x/ reject\n".utf8).write(to: URL(fileURLWithPath: rulesFile))
        }

        deinit { try? FileManager.default.removeItem(at: top) }

        /// Adds process `pid`: its executable's name, argv, working directory and masks.
        func add(
            _ pid: Int32, executable: String, arguments: [String], cwd: String? = nil,
            blocked: UInt64 = 0, caught: UInt64 = 0
        ) throws {
            let directory = root + "/\(pid)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data((executable + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/comm"))
            try Data(arguments.flatMap { Array($0.utf8) + [0] }).write(to: URL(fileURLWithPath: directory + "/cmdline"))
            let hex = { (mask: UInt64) in String(repeating: "0", count: 16 - String(mask, radix: 16).count) + String(mask, radix: 16) }
            try Data("Name:\t\(executable)\nSigPnd:\t0000000000000000\nSigBlk:\t\(hex(blocked))\nSigIgn:\t0000000000000000\nSigCgt:\t\(hex(caught))\n".utf8)
                .write(to: URL(fileURLWithPath: directory + "/status"))
            if let cwd { try FileManager.default.createSymbolicLink(atPath: directory + "/cwd", withDestinationPath: cwd) }
        }

        /// The finder over this table; a command line serves its last argument when it has two.
        func servers(excluding excluded: Int32 = 1) -> RulesFileServers.Found {
            RulesFileServers(root: root) { $0.count == 2 ? $0[1] : nil }.find(serving: rulesFile, excluding: excluded)
        }
    }

    @Test("counts filter-rules executables serving the same file, absolute or from their working directory")
    func matches() throws {
        let table = try FakeProcessTable()
        try table.add(10, executable: "filter-rules", arguments: ["rules", table.rulesFile], blocked: 1)
        try table.add(11, executable: "filter-rules", arguments: ["filter-rules", "rules.conf"], cwd: table.rulesDirectory, caught: 1)
        try table.add(12, executable: "filter-rules", arguments: ["filter-rules", table.rulesDirectory + "/../etc/./rules.conf"], blocked: 0x4203)
        #expect(table.servers() == RulesFileServers.Found(ready: [10, 11, 12], notReady: []))
    }

    @Test("leaves out other executables with the same command line, other files, unresolvable paths, empty command lines and itself")
    func nonMatches() throws {
        let table = try FakeProcessTable()
        try table.add(20, executable: "sh", arguments: ["filter-rules", table.rulesFile], caught: 1)
        try table.add(21, executable: "filter-rules", arguments: ["filter-rules", "/etc/other.conf"], blocked: 1)
        try table.add(23, executable: "filter-rules", arguments: ["filter-rules", "rules.conf"], cwd: "/", blocked: 1)
        try table.add(24, executable: "filter-rules", arguments: ["filter-rules", "rules.conf"], blocked: 1)
        try table.add(25, executable: "filter-rules", arguments: ["filter-rules", table.rulesFile], blocked: 1)
        try table.add(26, executable: "filter-rules", arguments: [], blocked: 1)
        #expect(table.servers(excluding: 25) == RulesFileServers.Found())
    }

    @Test("a server whose SIGHUP is neither blocked nor caught is not ready; other signals do not count")
    func notReady() throws {
        let table = try FakeProcessTable()
        try table.add(30, executable: "filter-rules", arguments: ["rules", table.rulesFile], blocked: 0x4202, caught: 0x10000)
        try table.add(31, executable: "filter-rules", arguments: ["rules", table.rulesFile], caught: 1)
        #expect(table.servers() == RulesFileServers.Found(ready: [31], notReady: [30]))
    }

    @Test("a rules file that does not exist is served by no one")
    func missingFile() throws {
        let table = try FakeProcessTable()
        try table.add(40, executable: "filter-rules", arguments: ["rules", table.rulesFile], blocked: 1)
        try FileManager.default.removeItem(atPath: table.rulesFile)
        #expect(table.servers() == RulesFileServers.Found())
    }
}
