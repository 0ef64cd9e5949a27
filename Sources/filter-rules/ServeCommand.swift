import ArgumentParser
import CommandLineSupport
import FilterRules
import FilterRulesEngine
#if canImport(FoundationEssentials)
    import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
    import Foundation
#endif
import DNSLists
import Dispatch
import Logging
import MetricsEndpoint
import OpenSMTPD
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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "OpenSMTPD 6.6+: register the data-line and commit phases only when the rules at start have content rules (auto), or always.",
            discussion: "smtpd reads the registration once; with always, a reload can add message-stage rules (header, body, dataline, attachment, mimetype)."))
    var contentPhases: ContentPhases = .auto

    @Option(
        name: .long,
        help: ArgumentHelp(
            "enforce: refusals refuse; report-only: they are only logged ('would reject') and the session goes on (overrides set mode).",
            valueName: "enforce|report-only"))
    var mode: EnforcementMode?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "on: Vectorscan databases of the rules' literals and regexes name the rules that may match each input, PCRE2 confirms them; "
                + "off: every rule is tried with PCRE2.",
            valueName: "on|off"))
    var prefilter: Switch = .on

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where compiled prefilter databases are cached, or 'off' (default: $XDG_CACHE_HOME/filter-rules, /var/cache/filter-rules "
                + "for root or when it is this user's, ~/.cache/filter-rules; else /tmp/filter-rules-cache-UID).",
            valueName: "dir|off"))
    var prefilterCache: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Serve metrics for Prometheus at http://ADDRESS:PORT/metrics (PORT alone: on 127.0.0.1), or 'off' (overrides set metrics).",
            valueName: "address:port|off"))
    var metrics: String?

    @Argument(help: "The rules file (as smtpd.conf passes it).")
    var file: String?

    /// The rules file served: `--rules`, FILE or the default.
    var rulesPath: String { rules ?? file ?? defaultRulesPath }

    func validate() throws {
        if rules != nil && file != nil { throw ValidationError("give the rules file either as FILE or with --rules, not both") }
        if let scanLimit, RuleOptions.size(scanLimit) == nil { throw ValidationError("bad size '\(scanLimit)' for --scan-limit") }
        if let metrics, metrics != "off", MetricsListenAddress(metrics) == nil {
            throw ValidationError("bad address '\(metrics)' for --metrics, \(MetricsListenAddress.expected)")
        }
    }

    func run() throws {
        // smtpd collects stderr as its log: once smtpd is gone, a log line must fail with
        // EPIPE, not kill the filter (the OpenSMTPD library's own writes never raise SIGPIPE).
        signal(SIGPIPE, SIG_IGN)
        DaemonLogging.bootstrap(verbose: verbosity > 0)
        let logger = Logger(label: "filter-rules")
        let path = rulesPath
        let store: RuleSetStore
        var endpoint: MetricsSetup?
        do {
            store = try RuleSetStore(
                path: path, scanLimit: scanLimit.flatMap(RuleOptions.size), mode: mode,
                matching: stageMatching(logger: logger),
                metrics: { ruleSet in
                    endpoint = MetricsSetup(address: metricsAddress(ruleSet.options))
                    return endpoint?.metrics
                })
        } catch {
            for diagnostic in error.diagnostics { logger.critical("\(diagnostic)") }
            logger.critical("\(path): \(error.diagnostics.count) error(s), not starting")
            throw ExitCode(1)
        }
        let ruleSet = store.ruleSet
        logger.info("loaded \(path): \(ruleSet.rules.count) rules (\(ruleSet.file.format) format)")
        if ruleSet.options.mode == .reportOnly {
            let message =
                "report-only mode\(mode == nil ? " (set mode report-only)" : " (--mode report-only)"): refusals are logged as 'would reject', 'would "
                + "tempfail' or 'would disconnect' and not carried out"
            logger.notice("\(message)")
        }
        for warning in ruleSet.warnings { logger.warning("\(warning.logText)") }
        // Limits, lists and greylisting survive a restart through the state file.
        let state = StoreStateKeeper(rules: store, logger: logger)
        state.start()
        let started = Date()
        // Reloads run on the scheduler's own queue: the prefilter of a large set can take
        // seconds to build, and SIGTERM must still end the filter meanwhile.
        let reloads = ReloadScheduler { superseded in
            logger.notice("SIGHUP: reloading \(path)")
            store.reload(logger: logger, superseded: superseded)
        }
        SignalWatcher.start { signal in
            switch signal {
            case SIGHUP:
                switch reloads.request() {
                case .started: break
                case .queued: logger.notice("SIGHUP during a reload: \(path) is read again once it ends")
                case .merged: logger.debug("SIGHUP: a reload of \(path) is already pending")
                }
            case SIGUSR1:
                for line in HitCountReport.lines(for: store.ruleSet, since: started) { logger.notice("\(line)") }
            default:
                logger.notice("signal \(signal): exiting")
                state.save()
                Glibc.exit(0)
            }
        }
        // The metrics endpoint listens on a thread of its own; one that cannot listen is
        // logged, and the filter serves on without it.
        let metricsServer = endpoint?.start(store: store, logger: logger)
        defer { metricsServer?.shutdown() }
        // One resolver thread and cache for every session, made when a rule set declares DNS lists.
        var dnsPolicy = DNSListLookups.Policy()
        dnsPolicy.observer = store.metrics
        let dns = DNSListService(logger: logger, policy: dnsPolicy)
        let daemonProtocol = self.protocol.resolved()
        logger.debug("speaking \(daemonProtocol == .lineProtocol ? "the line protocol (OpenSMTPD 6.6+)" : "filter API 52 (OpenSMTPD 6.0.x)")")
        do {
            switch daemonProtocol {
            case .filterAPI52:
                let facts = SessionFactWarnings.forFilterAPI52(ruleSet)
                if let first = facts.first {
                    logger.warning("\(facts.count) term(s) on session facts, which filter API 52 does not report; first: \(first.logText)")
                }
                try V52RulesFilter(store: store, dns: dns, logger: logger).serve()
            case .lineProtocol:
                let filter = LineRulesFilter(store: store, contentPhases: contentPhases, dns: dns, logger: logger)
                let registration = filter.registration
                logger.debug("registering the phases \(registration.phases.joined(separator: ", "))")
                store.noteReloads { registration.unregisteredNote(for: $0) }
                try filter.serve()
            }
        } catch {
            state.save()
            logger.critical("\(error)")
            throw ExitCode(1)
        }
        state.save()
        logger.info("smtpd closed the channel, exiting")
    }
}

extension ContentPhases: ExpressibleByArgument {}

/// `on` or `off`.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

extension EnforcementMode: ExpressibleByArgument {}

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
