import ArgumentParser
import FilterRules
import FilterRulesEngine
import Foundation
import Logging
import OpenSMTPD
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `filter-rules [serve] [-dv] [--rules FILE | FILE]`: what smtpd runs.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve smtpd on fd 0 (the default command): register and answer every query by the rules."
    )

    @Flag(name: .customShort("d"), help: "Foreground (smtpd passes it; logging goes to stderr either way).")
    var foreground = false

    @Flag(name: .customShort("v"), help: "Verbose: also log accepts decided by rules and protocol details.")
    var verbosity: Int

    @Option(name: .long, help: "The rules file.")
    var rules: String?

    @Option(name: [.customShort("l"), .long], help: "Scan at most this many bytes of each message (overrides set scan-limit).")
    var scanLimit: String?

    @Option(name: .long, help: "The daemon's protocol: auto (detect), v52 (OpenSMTPD 6.0.x) or line (OpenSMTPD 6.6+).")
    var `protocol`: ProtocolChoice = .auto

    @Argument(help: "The rules file (as smtpd.conf passes it).")
    var file: String?

    func validate() throws {
        if rules != nil && file != nil { throw ValidationError("give the rules file either as FILE or with --rules, not both") }
        if let scanLimit, RuleOptions.size(scanLimit) == nil { throw ValidationError("bad size '\(scanLimit)' for --scan-limit") }
    }

    func run() throws {
        let verbose = verbosity > 0
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
        let logger = Logger(label: "filter-rules")
        let path = rules ?? file ?? defaultRulesPath
        let store: RuleSetStore
        do {
            store = try RuleSetStore(path: path, scanLimit: scanLimit.flatMap(RuleOptions.size))
        } catch {
            for diagnostic in error.diagnostics { logger.critical("\(diagnostic)") }
            logger.critical("\(path): \(error.diagnostics.count) error(s), not starting")
            throw ExitCode(1)
        }
        let ruleSet = store.ruleSet
        logger.info("loaded \(path): \(ruleSet.rules.count) rules (\(ruleSet.file.format) format)")
        let started = Date()
        // The stages registered with a line-protocol daemon; rules for others need a restart.
        let lineStages = Mutex<Set<Stage>?>(nil)
        SignalWatcher.start { signal in
            switch signal {
            case SIGHUP:
                logger.notice("SIGHUP: reloading \(path)")
                if store.reload(logger: logger), let registered = lineStages.withLock({ $0 }) {
                    let missing = LinePhases.stages(usedBy: store.ruleSet).subtracting(registered)
                    for stage in Stage.allCases where missing.contains(stage) {
                        let phases = LinePhases.phases(for: stage).joined(separator: "/")
                        logger.warning("\(stage) rules need the \(phases) phase, which was not registered with smtpd at start: they take effect when smtpd restarts the filter")
                    }
                }
            case SIGUSR1:
                for line in HitCountReport.lines(for: store.ruleSet, since: started) { logger.notice("\(line)") }
            default:
                logger.notice("signal \(signal): exiting")
                Glibc.exit(0)
            }
        }
        let daemonProtocol = self.protocol.resolved()
        logger.debug("speaking \(daemonProtocol == .lineProtocol ? "the line protocol (OpenSMTPD 6.6+)" : "filter API 52 (OpenSMTPD 6.0.x)")")
        switch daemonProtocol {
        case .filterAPI52:
            let filter = V52RulesFilter(store: store, logger: logger)
            do {
                try filter.serve()
            } catch {
                logger.critical("\(error)")
                throw ExitCode(1)
            }
        case .lineProtocol:
            let filter = LineRulesFilter(store: store, logger: logger)
            lineStages.withLock { $0 = filter.registeredStages }
            do {
                try filter.serve()
            } catch {
                logger.critical("\(error)")
                throw ExitCode(1)
            }
        }
        logger.info("smtpd closed the channel, exiting")
    }
}

/// `--protocol`: detect the daemon's protocol, or force one.
enum ProtocolChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, v52, line

    /// The protocol to speak on fd 0.
    func resolved() -> DaemonProtocol {
        switch self {
        case .auto: return DaemonProtocol.detect(descriptor: 0)
        case .v52: return .filterAPI52
        case .line: return .lineProtocol
        }
    }
}
