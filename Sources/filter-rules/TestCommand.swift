import ArgumentParser
import CommandLineSupport
import FilterRules
import FilterRulesEngine
#if canImport(FoundationEssentials)
import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
import Foundation
#endif
import Logging

/// `filter-rules test --rules FILE TRANSCRIPT...`: the dry-run.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Dry-run rules against SMTP transcripts (plain client transcripts or swaks output).",
        discussion: "Exit status: 0 when every expectation holds, 1 when one fails, 2 on usage, rules or transcript errors."
    )

    @Option(name: .long, help: "The rules file.")
    var rules: String = defaultRulesPath

    @Flag(name: .long, help: "Print the results as JSON.")
    var json = false

    @Option(name: [.customShort("l"), .long], help: "Scan at most this many bytes of each message (overrides set scan-limit).")
    var scanLimit: String?

    @Argument(help: "Transcript files.")
    var transcripts: [String] = []

    func validate() throws {
        if transcripts.isEmpty { throw ValidationError("give at least one transcript") }
        if let scanLimit, RuleOptions.size(scanLimit) == nil { throw ValidationError("bad size '\(scanLimit)' for --scan-limit") }
    }

    func run() throws {
        SignalWatcher.unblockDaemonSignals()
        let logger = Logger(label: "filter-rules.test") { _ in SwiftLogNoOpLogHandler() }
        let store: RuleSetStore
        do {
            store = try RuleSetStore(path: rules, scanLimit: scanLimit.flatMap(RuleOptions.size))
        } catch {
            printToStandardError(error.description)
            throw ExitCode(2)
        }
        var parsed: [Transcript] = []
        for path in transcripts {
            let data: [UInt8]
            do {
                data = try FileBytes.contents(of: path)
            } catch {
                printToStandardError("\(path): cannot read the transcript: \(error.reason)")
                throw ExitCode(2)
            }
            do {
                parsed.append(try TranscriptParser.parse(data, name: path))
            } catch {
                printToStandardError(error.description)
                throw ExitCode(2)
            }
        }
        let replayer = TranscriptReplayer(store: store, logger: logger)
        let reports = parsed.enumerated().map { replayer.replay($1, sessionID: UInt64($0 + 1)) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(reports), as: UTF8.self))
        } else {
            for report in reports { print(report.text) }
            let failed = reports.filter { !$0.passed }.count
            print("\(reports.count) transcript(s), \(failed) failed")
        }
        if reports.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
