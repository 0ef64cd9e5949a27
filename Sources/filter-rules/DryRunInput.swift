import ArgumentParser
import CommandLineSupport
import ConfigurationFiles
import FilterRules
import FilterRulesEngine

/// A file the dry-run reads: a transcript or a saved message, or standard input for `-`.
struct DryRunInput {
    /// The file name that stands for standard input.
    static let standardInput = "-"

    /// The name reports give it: the path, or `<stdin>`.
    var name: String
    /// Its bytes.
    var bytes: [UInt8]

    /// Reads `path` (standard input for `-`); a file that cannot be read is reported on
    /// stderr and ends the command with status 2.
    static func read(_ path: String) throws(ExitCode) -> DryRunInput {
        do {
            if path == standardInput { return DryRunInput(name: "<stdin>", bytes: try FileBytes.read(descriptor: 0)) }
            return DryRunInput(name: path, bytes: try FileBytes.read(path: path))
        } catch {
            printToStandardError("\(path == standardInput ? "<stdin>" : path): \(error.message)")
            throw ExitCode(2)
        }
    }

    /// The transcript in `input`, with the recorded server replies as expectations when
    /// asked; a transcript with errors is reported on stderr and ends the command with status 2.
    static func transcript(_ input: DryRunInput, expectingRecordedReplies: Bool) throws(ExitCode) -> Transcript {
        do {
            let transcript = try TranscriptParser.parse(input.bytes, name: input.name)
            return expectingRecordedReplies ? transcript.expectingRecordedReplies() : transcript
        } catch {
            printToStandardError(error.description)
            throw ExitCode(2)
        }
    }
}
