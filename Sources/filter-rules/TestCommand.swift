import ArgumentParser
import CommandLineSupport
import DNSLists
import FilterRules
import FilterRulesEngine
import RuleStores
#if canImport(FoundationEssentials)
    import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
    import Foundation
#endif
import Logging

/// `filter-rules test --rules FILE TRANSCRIPT...` and `filter-rules test --rules FILE --eml
/// MESSAGE...`: the dry-run.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Dry-run rules against SMTP transcripts (plain client transcripts or swaks output), or with --eml against saved messages.",
        discussion: """
            Exit status for transcripts: 0 when every expectation holds, 1 when one fails; for \
            messages (--eml): 0 when every message is accepted, 1 when one is refused at any \
            stage; 2 on usage, rules or read errors. A file named - is read from standard input.
            """
    )

    @Option(name: .long, help: "The rules file.")
    var rules: String = defaultRulesPath

    @Flag(name: .long, help: "Print the results as JSON.")
    var json = false

    @Option(name: [.customShort("l"), .long], help: "Scan at most this many bytes of each message (overrides set scan-limit).")
    var scanLimit: String?

    @Flag(name: .long, help: "Use the server replies recorded in swaks transcripts as the expectations of steps without a '#! expect'.")
    var expectRecorded = false

    @Flag(name: .long, help: "The files are saved messages (RFC 5322, LF or CRLF), each sent in a session of its own.")
    var eml = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where DNS lists are looked up: a file of answers (zone-file lines such as '2.0.0.127.zen.example. A 127.0.0.2'), or live for the resolver.",
            valueName: "file|live"))
    var dns: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --eml: when the next message comes, after the one before it (+6m, +1h; the run's clock for limits, lists and greylisting). Give one per message, in order.",
            valueName: "+time"))
    var at: [String] = []

    @OptionGroup(title: "Envelope of the messages (with --eml)")
    var envelope: EnvelopeOptions

    @Argument(help: ArgumentHelp("Transcript files, or with --eml message files; - reads standard input.", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError(eml ? "give at least one message" : "give at least one transcript") }
        if files.filter({ $0 == DryRunInput.standardInput }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if let scanLimit, RuleOptions.size(scanLimit) == nil { throw ValidationError("bad size '\(scanLimit)' for --scan-limit") }
        if eml && expectRecorded { throw ValidationError("--expect-recorded is for transcripts, not with --eml") }
        if !at.isEmpty && !eml { throw ValidationError("--at is for saved messages (--eml); a transcript says '#! time +6m'") }
        if at.count > files.count { throw ValidationError("\(at.count) --at for \(files.count) message(s): give at most one per message") }
        for offset in at where Self.offset(offset) == nil {
            throw ValidationError("bad time '\(offset)' for --at, expected +DURATION with a unit s, m, h or d, e.g. +6m")
        }
        if !eml && envelope.isGiven { throw ValidationError("--sender, --rcpt, --client-address, --client-hostname and --helo need --eml") }
    }

    func run() throws {
        SignalWatcher.unblockDaemonSignals()
        let store: RuleSetStore
        // One store and one clock for the run: its transcripts and messages see each other's
        // limits, lists and greylisting, at the times they say.
        let clock = DryRunClock()
        do {
            let memory = MemoryStore(logger: Logger(label: "filter-rules.test") { _ in SwiftLogNoOpLogHandler() })
            store = try RuleSetStore(
                path: rules, scanLimit: scanLimit.flatMap(RuleOptions.size), stores: RuleStoreAccess(store: memory, now: { clock.now }))
        } catch {
            printToStandardError(error.description)
            throw ExitCode(2)
        }
        let sessions = try files.enumerated().map { index, path in
            let input = try DryRunInput.read(path)
            guard eml else { return try DryRunInput.transcript(input, expectingRecordedReplies: expectRecorded) }
            var transcript = Transcript(message: input.bytes, name: input.name, envelope: envelope.envelope)
            if index < at.count { transcript.startsAfter = Self.offset(at[index]) ?? 0 }
            return transcript
        }
        let quiet = Logger(label: "filter-rules.test") { _ in SwiftLogNoOpLogHandler() }
        let replayer = TranscriptReplayer(store: store, dns: try dnsLookups(for: store.ruleSet), clock: clock, logger: quiet)
        let reports = sessions.enumerated().map { replayer.replay($1, sessionID: UInt64($0 + 1)) }
        try DryRunOutput.print(reports, json: json, messages: eml)
        if reports.contains(where: { eml ? !$0.accepted : !$0.passed }) { throw ExitCode(1) }
    }

    /// The milliseconds of an `--at` value: `+DURATION` (the `+` may be left out), `0`.
    static func offset(_ text: String) -> Int64? {
        if text == "0" || text == "+0" { return 0 }
        return DurationText.milliseconds(text.hasPrefix("+") ? String(text.dropFirst()) : text)
    }

    /// Where the dry-run looks DNS lists up: `--dns FILE` or `--dns live`; a rules file
    /// with DNS lists needs one of them (a dry-run must say which answers it relies on).
    private func dnsLookups(for ruleSet: CompiledRuleSet) throws -> BlockingListLookups? {
        let lists = ruleSet.options.dnsLists
        guard let dns else {
            guard let first = lists.first else { return nil }
            printToStandardError(
                "\(first.location.fileAndLine): the rules look up DNS lists (dnslist \(first.list.name)): give --dns FILE "
                    + "(answers from a file, for reproducible runs) or --dns live (the resolver)")
            throw ExitCode(2)
        }
        let logger = Logger(label: "filter-rules.test") { _ in StandardErrorLogHandler(format: .forStandardError) }
        let service: any DNSLookupService
        if dns == "live" {
            var configuration = DNSResolver.Configuration()
            configuration.servers = ruleSet.options.resolver
            do {
                service = try DNSResolver(configuration)
            } catch {
                printToStandardError("--dns live: \(error)")
                throw ExitCode(2)
            }
        } else {
            do {
                service = try DNSAnswerFile(path: dns)
            } catch {
                printToStandardError(error.description)
                throw ExitCode(2)
            }
        }
        return BlockingListLookups(DNSListLookups(service: service, logger: logger))
    }
}
