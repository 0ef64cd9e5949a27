import ArgumentParser
import CommandLineSupport
import Logging
import OpenSMTPD
import PCRETable

/// `table-pcre [serve] [-dv] [--protocol P] [--service NAME ...] MAPFILE`: what smtpd runs.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve smtpd (the default command): answer the table requests from MAPFILE.",
        discussion: """
            The protocol is detected from smtpd's first bytes: the text protocol of OpenSMTPD \
            7.6 and later on stdin and stdout, or table API 2 (OpenSMTPD 6.0 to 7.5) on fd 0.
            """
    )

    @Flag(name: .customShort("d"), help: "Foreground (logging goes to stderr either way).")
    var foreground = false

    @Flag(name: .customShort("v"), help: "Verbose: also log protocol details.")
    var verbosity: Int

    @Option(
        name: .customLong("service"),
        help: "Answer only this service (repeatable, or NAME,NAME); the others get \"not found\". With OpenSMTPD 7.6+ these are the services registered.")
    var serviceNames: [String] = []

    @Option(name: .customLong("protocol"), help: "smtpd's table protocol: auto (detect), api2 (OpenSMTPD 6.0 to 7.5) or line (7.6 and later).")
    var protocolChoice: ProtocolChoice = .auto

    @Argument(help: "The map file.")
    var mapFile: String

    func validate() throws {
        _ = try parseServices(serviceNames)
    }

    func run() throws {
        DaemonLogging.bootstrap(verbose: verbosity > 0)
        let logger = Logger(label: "table-pcre")
        let services = try parseServices(serviceNames)
        let backend: PCRETable
        do {
            backend = try PCRETable(path: mapFile, services: services, logger: logger)
        } catch {
            for diagnostic in error.diagnostics { logger.critical("\(diagnostic)") }
            logger.critical("\(mapFile): \(error.diagnostics.count) error(s), not starting")
            throw ExitCode(1)
        }
        logger.info("loaded \(mapFile): \(backend.map.entries.count) entries, services \(services)")
        let table: any TableCallbacks
        switch protocolChoice.resolved() {
        case .api2:
            let api2 = Table(logger: logger)
            backend.attach(to: api2)
            table = api2
        case .line:
            let line = LineTable(logger: logger)
            line.services = services
            backend.attach(to: line)
            table = line
        }
        do {
            try table.serve()
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        logger.debug("table \(table.name ?? "?") closed, exiting")
    }
}

/// `--protocol`: detect smtpd's table protocol, or force one.
enum ProtocolChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, api2, line

    /// The protocol to speak; `auto` peeks at fd 0 (without consuming anything).
    func resolved() -> TableProtocol {
        switch self {
        case .auto: return TableProtocol.detect(descriptor: 0)
        case .api2: return .api2
        case .line: return .line
        }
    }
}
