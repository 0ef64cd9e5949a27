import ArgumentParser
import FilterRules
import FilterRulesEngine
import CommandLineSupport

/// `filter-rules check FILE`: validates a rules file.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a rules file: print the rule count per stage, or every error (exit 1)."
    )

    @Argument(help: "The rules file.")
    var file: String = defaultRulesPath

    @Option(
        name: .long, help: "The protocol the file is meant for: v52 (OpenSMTPD 6.0.x) warns about auth, tls and fcrdns terms, which see the empty string there."
    )
    var `protocol`: ProtocolChoice = .auto

    /// `; N things`, empty for none.
    private static func count(_ number: Int, _ thing: String) -> String {
        number == 0 ? "" : "; \(number) \(thing)\(number == 1 ? "" : "s")"
    }

    func run() throws {
        SignalWatcher.unblockDaemonSignals()
        let ruleSet = try CheckedRules.load(file)
        // Score terms are always in combined rules: the stage has no plain rules to count.
        let counts = Stage.allCases.filter { $0 != .score }.map { "\($0) \(ruleSet.ruleCount(of: $0))" }.joined(separator: ", ")
        let options = ruleSet.options
        let lists = options.dnsLists.count
        print(
            "\(file): OK, \(ruleSet.rules.count) rules (\(ruleSet.file.format) format): \(counts)"
                + (ruleSet.combinedRules.isEmpty ? "" : "; \(ruleSet.combinedRules.count) combined")
                + Self.count(lists, "DNS list") + Self.count(options.rateLimits.count, "limit")
                + Self.count(options.dynlists.count, "dynamic list"))
        if self.protocol == .v52 {
            for warning in SessionFactWarnings.forFilterAPI52(ruleSet) { printToStandardError(warning.description) }
        }
        print(
            "options: fail-closed \(options.failClosed ? "on" : "off"), scan-limit \(options.scanLimit), "
                + "match-limit \(options.limits.matchLimit), depth-limit \(options.limits.depthLimit), "
                + "line-time-limit \(options.limits.lineTimeLimit), message-time-limit \(options.messageTimeLimit), "
                + "header-limit \(options.headerLimit), allow-empty \(options.allowEmpty ? "on" : "off"), "
                + "mode \(options.mode), hold-limit \(options.holdLimit), hold-total \(options.holdTotal), "
                + "oversized-header \(options.oversizedHeader), oversized-mime \(options.oversizedMIME)")
        if ruleSet.holdsMessages {
            print(
                "messages are held until their verdict is known (junk or add-header at a message stage), "
                    + "up to \(options.holdLimit) bytes each and \(options.holdTotal) bytes together; "
                    + "a message past either passes on without those headers")
        }
    }
}
