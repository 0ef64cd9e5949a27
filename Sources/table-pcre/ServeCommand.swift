import ArgumentParser
import CommandLineSupport
import Logging
import OpenSMTPD
import PCRETable

/// `table-pcre [serve] [-dv] [--service NAME ...] MAPFILE`: what smtpd runs.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve smtpd on fd 0 (the default command): answer the table requests from MAPFILE."
    )

    @Flag(name: .customShort("d"), help: "Foreground (logging goes to stderr either way).")
    var foreground = false

    @Flag(name: .customShort("v"), help: "Verbose: also log protocol details.")
    var verbosity: Int

    @Option(name: .customLong("service"), help: "Answer only this service (repeatable, or NAME,NAME); the others get \"not found\".")
    var serviceNames: [String] = []

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
        let table = Table(logger: logger)
        backend.attach(to: table)
        do {
            try table.serve()
        } catch {
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        logger.debug("table \(table.name ?? "?") closed, exiting")
    }
}
