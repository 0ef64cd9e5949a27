import Foundation
import SMTPDTestDouble
import Testing
#if canImport(Glibc)
    import Glibc
#endif

/// `filter-rules reload FILE` against real serving filter-rules processes, shells and
/// look-alikes started beside them.
@Suite("filter-rules reload")
struct ReloadCommandTests {
    static let rules = "helo /^spam$/ reject\n"
    static let executable = FilterProcess.builtExecutable(named: "filter-rules")

    /// A bash whose `BASH_ENV` script runs first and echoes every line it reads on its
    /// channel until the channel closes, so it never reaches its own arguments.
    static func echoingBash(
        executable: String = "/bin/bash", arguments: [String], trapsHangup: Bool,
        scriptDirectory: TemporaryRulesFile
    ) throws -> LineDaemonDouble {
        let script = scriptDirectory.directory.appendingPathComponent("bash-env").path
        let trap = trapsHangup ? "trap : HUP\n" : ""
        try Data((trap + "while read -r line; do echo \"$line\"; done\nexit 0\n").utf8).write(to: URL(fileURLWithPath: script))
        let process = try FilterProcess(
            executable: executable, name: "filter-rules", arguments: arguments,
            environment: ["BASH_ENV": script], nonBlocking: false, channelOnStandardOutput: true)
        let channel = LineDaemonDouble(process: process)
        // The echo shows the script runs (and, with the trap, has set it).
        try channel.send(line: "ready?")
        #expect(try channel.receiveLine() == "ready?")
        return channel
    }

    @Test("reload FILE signals only the filter serving FILE: it reloads, the one on another file does not")
    func signalsOnlyTheServerOfTheFile() throws {
        let fileA = try TemporaryRulesFile(Self.rules), fileB = try TemporaryRulesFile(Self.rules)
        let (processA, _, _) = try startLineServing(fileA)
        let (processB, _, _) = try startLineServing(fileB)
        let result = try runFilterRules(["reload", fileA.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "signalled 1 filter-rules process(es) serving \(fileA.path): \(processA.pid)\n")
        #expect(waitForLog(processA, containing: "reloaded \(fileA.path): 1 rules"))
        #expect(waitUntilEarlierSignalsHandled(processB))
        #expect(!processB.stderrText.contains("reload"))
    }

    @Test("finds servers by any command line smtpd gives: argv[0] 'rules' with -v -d, --rules, a relative path after /bin/sh -c, another spelling of the path")
    func findsEveryFormOfCommandLine() throws {
        let file = try TemporaryRulesFile(Self.rules, name: "rules.conf")
        let (v52, _) = try startServing(file, extraArguments: ["-v", "-d"])
        let withOption = try FilterProcess(
            executable: Self.executable, name: "filter-rules",
            arguments: ["--rules", file.path], channelOnStandardOutput: true)
        _ = try LineDaemonDouble(process: withOption).handshake()
        // As smtpd 6.6+ runs proc-exec commands; the shell execs the filter in place.
        let relative = try FilterProcess(
            executable: "/bin/sh", name: "/bin/sh",
            arguments: ["-c", "cd \"$0\" && exec \"$1\" rules.conf", file.directory.path, Self.executable],
            channelOnStandardOutput: true)
        _ = try LineDaemonDouble(process: relative).handshake()
        #expect(commandLine(of: relative.pid) == [Self.executable, "rules.conf"])

        let spelling = file.directory.path + "/../" + file.directory.lastPathComponent + "/./rules.conf"
        let result = try runFilterRules(["reload", spelling])
        #expect(result.status == 0, "\(result.standardError)")
        let pids = [v52.pid, withOption.pid, relative.pid].sorted().map(String.init).joined(separator: " ")
        #expect(result.standardOutput == "signalled 3 filter-rules process(es) serving \(spelling): \(pids)\n")
        for process in [v52, withOption, relative] {
            #expect(waitForLog(process, containing: "reloaded "), "pid \(process.pid)")
        }
    }

    @Test("a file with errors: each printed with file:line:column, exit 1, nothing signalled")
    func brokenFileSignalsNothing() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (process, _, _) = try startLineServing(file)
        try file.write("helo /x/ rejekt\n")
        let result = try runFilterRules(["reload", file.path])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        let lines = result.standardError.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("\(file.path):1:10: ") == true && lines.first?.contains("'rejekt'") == true)
        #expect(lines.last == "\(file.path): 1 error(s), no filter-rules signalled")
        #expect(waitUntilEarlierSignalsHandled(process))
        #expect(!process.stderrText.contains("SIGHUP"))
    }

    @Test("a file no filter-rules serves: exit 1 with a message; the filter on another file is left alone")
    func noServerExitsOne() throws {
        let served = try TemporaryRulesFile(Self.rules), unserved = try TemporaryRulesFile(Self.rules)
        let (process, _, _) = try startLineServing(served)
        let result = try runFilterRules(["reload", unserved.path])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "no filter-rules process serving \(unserved.path) was signalled\n")
        #expect(waitUntilEarlierSignalsHandled(process))
        #expect(!process.stderrText.contains("SIGHUP"))
    }

    @Test("the other commands are not servers: a 'test --rules FILE' that is still running is not signalled")
    func otherCommandsAreNotServers() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (filter, _, _) = try startLineServing(file)
        // Stopped right after it was started, the dry-run stays in the process table.
        let dryRun = try FilterProcess(
            executable: Self.executable, name: "filter-rules",
            arguments: ["test", "--rules", file.path, "/nonexistent/transcript"])
        kill(dryRun.pid, SIGSTOP)
        #expect(waitUntilStopped(dryRun.pid))
        #expect(commandLine(of: dryRun.pid) == ["filter-rules", "test", "--rules", file.path, "/nonexistent/transcript"])
        let result = try runFilterRules(["reload", file.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "signalled 1 filter-rules process(es) serving \(file.path): \(filter.pid)\n")
        #expect(!result.standardError.contains("\(dryRun.pid)"))
    }

    @Test("a shell with the same command line as the filter (argv[0] filter-rules, the file) is not signalled")
    func shellWithTheSameCommandLine() throws {
        let file = try TemporaryRulesFile(Self.rules)
        let (filter, _, _) = try startLineServing(file)
        // It catches SIGHUP, so only its executable's name tells it from a filter-rules.
        let shell = try Self.echoingBash(arguments: [file.path], trapsHangup: true, scriptDirectory: file)
        #expect(commandLine(of: shell.process.pid) == commandLine(of: filter.pid))
        let result = try runFilterRules(["reload", file.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == "signalled 1 filter-rules process(es) serving \(file.path): \(filter.pid)\n")
        #expect(!result.standardError.contains("\(shell.process.pid)"))
        #expect(waitForLog(filter, containing: "reloaded \(file.path)"))
    }

    @Test("a filter-rules whose SIGHUP is still at its default action is skipped with a message, exit 1, and lives on")
    func notReadyIsSkipped() throws {
        let file = try TemporaryRulesFile(Self.rules)
        // Executed through a link named filter-rules, bash's executable name is filter-rules.
        let link = file.directory.appendingPathComponent("filter-rules").path
        #expect(symlink("/bin/bash", link) == 0)
        let starting = try Self.echoingBash(executable: link, arguments: [file.path], trapsHangup: false, scriptDirectory: file)
        let result = try runFilterRules(["reload", file.path])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(
            result.standardError == """
                skipped \(starting.process.pid): it does not block or catch SIGHUP yet (still starting?), the signal would end it
                no filter-rules process serving \(file.path) was signalled (1 skipped)

                """)
        // A SIGHUP would have ended it before it could answer.
        try starting.send(line: "still there?")
        #expect(try starting.receiveLine() == "still there?")
    }
}

/// The argument vector of a process, from /proc/PID/cmdline.
func commandLine(of pid: pid_t) -> [String] {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return [] }
    return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
}

/// Waits (up to 5 s) until process `pid` shows as stopped (state T in /proc/PID/stat).
func waitUntilStopped(_ pid: pid_t) -> Bool {
    let deadline = Date().addingTimeInterval(5)
    while Date() < deadline {
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].hasPrefix(" T")
        {
            return true
        }
        usleep(1_000)
    }
    return false
}

/// Sends SIGUSR1 and waits until the filter has logged its hit counts: the signal thread
/// takes signals in order (a pending SIGHUP, lower-numbered, first), so any signal sent
/// before has been handled by then.
func waitUntilEarlierSignalsHandled(_ process: FilterProcess) -> Bool {
    let marker = "rule hit counts since"
    let before = logCount(process, marker)
    kill(process.pid, SIGUSR1)
    let deadline = Date().addingTimeInterval(5)
    while Date() < deadline {
        if logCount(process, marker) > before { return true }
        usleep(10_000)
    }
    return false
}
