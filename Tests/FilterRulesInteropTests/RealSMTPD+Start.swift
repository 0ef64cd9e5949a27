import Foundation
import SMTPDTestDouble
#if canImport(Glibc)
    import Glibc
#endif

extension RealSMTPD {
    /// Prepares a directory, validates the configuration with `smtpd -n` and starts
    /// `smtpd -d` (with `toolchain`: in a mount namespace that hides it, with a /run and a
    /// spool of its own), returning once it listens and the filter runs. On failure
    /// everything started is stopped, the directory removed, and the error carries smtpd's log.
    static func start(_ filter: FilterUnderTest, hiding toolchain: HiddenToolchain? = nil) throws -> RealSMTPD {
        if let socket = LoopbackNetwork.answeringControlSocket() { throw InteropError.foreignSMTPD(socket) }
        let directory = try makeRunDirectory()
        do {
            let server = try launch(filter, in: directory, hiding: toolchain)
            try server.waitUntilReady(timeout: 20)
            return server
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// A new directory under /tmp (mode 0755) with a world-writable `mail` directory.
    private static func makeRunDirectory() throws -> String {
        var template = Array("/tmp/filter-rules-interop-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw InteropError.system("mkdtemp", errno)
        }
        let directory = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(directory, 0o755)
        try FileManager.default.createDirectory(atPath: directory + "/mail", withIntermediateDirectories: false)
        chmod(directory + "/mail", 0o1777)
        return directory
    }

    /// Writes the filter, the client, the delivery script and smtpd.conf into `directory`,
    /// validates the configuration and starts smtpd on it.
    private static func launch(_ filter: FilterUnderTest, in directory: String, hiding toolchain: HiddenToolchain?) throws -> RealSMTPD {
        let program: String
        let command: String
        switch filter {
        case .filterRules(let rules):
            program = try FilterInstallation.install(FilterProcess.builtExecutable(named: "filter-rules"), into: directory)
            try write(rules, to: directory + "/rules.conf")
            command = "\(program) \(directory)/rules.conf"
        case .installed(let executable, let rules):
            program = executable
            try write(rules, to: directory + "/rules.conf")
            command = "\(program) \(directory)/rules.conf"
        case .throwaway:
            program = directory + "/throwaway-filter.py"
            try write(ThrowawayFilter.source, to: program)
            command = (SMTPClient.python + [program]).joined(separator: " ")
        }
        try write(SMTPClientScript.source, to: directory + "/smtp-client.py")
        try write(SMTPDConfiguration.deliveryScript(into: directory + "/mail"), to: directory + "/deliver.sh")
        chmod(directory + "/deliver.sh", 0o755)
        let configuration = SMTPDConfiguration(
            filterCommand: command, port: try LoopbackNetwork.freePort(),
            deliveryScriptPath: directory + "/deliver.sh")
        try write(configuration.text, to: directory + "/smtpd.conf")
        try validate(directory + "/smtpd.conf", outputPath: directory + "/smtpd-n.log")

        let smtpd = [executable, "-d", "-f", directory + "/smtpd.conf"]
        // unshare and the shell exec smtpd in the same process: its pid is the one we start.
        let argv = toolchain.map { $0.command(smtpd, privateDirectories: privateDirectories) } ?? smtpd
        let process = try SpawnedProcess(
            executable: argv[0], arguments: Array(argv.dropFirst()),
            environment: resolverEnvironment, outputPath: directory + "/smtpd.log")
        return RealSMTPD(directory: directory, port: configuration.port, filterProgram: program, process: process)
    }

    /// What a namespaced smtpd gets of its own: an empty control-socket directory and spool
    /// (smtpd 6.8 creates the spool's subdirectories itself; the spool must be mode 711), so
    /// its run leaves no queue files and no socket on the machine.
    static let privateDirectories = [(path: "/run", mode: "0755"), (path: "/var/spool/smtpd", mode: "0711")]

    /// Keeps smtpd's name lookups off the network. Its bundled resolver (asr) asks DNS
    /// before /etc/hosts, and in a sandbox without DNS every session's reverse lookup then
    /// waits for time-outs (seconds per session under load). asr reads `RES_OPTIONS` as an
    /// `options` line of resolv.conf but parses it line by line, so a second line
    /// `lookup file` makes it consult /etc/hosts only: 127.0.0.1 is `localhost`, forward-confirmed.
    static let resolverEnvironment = ["RES_OPTIONS": "ndots:1\nlookup file"]

    /// Writes `text` to `path`, readable by everyone (smtpd's user reads rules and scripts).
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o644)
    }

    /// Runs `smtpd -n -f PATH` (output into `outputPath`) and throws its output unless it
    /// says the configuration is OK.
    private static func validate(_ path: String, outputPath: String) throws {
        let (status, text) = try SpawnedProcess.run(executable, ["-n", "-f", path], outputPath: outputPath, timeout: 30)
        guard status == .exited(0) else {
            throw InteropError.badConfiguration(text + ((try? String(contentsOfFile: path, encoding: .utf8)) ?? ""))
        }
    }

    /// Waits until smtpd listens on its port and the filter process runs; stops smtpd when
    /// it does not.
    private func waitUntilReady(timeout: Double) throws {
        let ready = Deadline.wait(seconds: timeout) {
            !process.isRunning || (LoopbackNetwork.isListening(port: port) && !filterPIDs.isEmpty)
        }
        guard ready, process.isRunning else {
            let log = logTail(lines: 60)
            stop()
            throw InteropError.startFailed(
                (ready ? "smtpd ended (\(process.exitDescription))" : "not listening after \(timeout) s")
                    + "\n" + log)
        }
    }
}
