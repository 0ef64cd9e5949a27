import ArgumentParser
import PCRETable

/// `table-pcre check FILE`: validates a map file.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a map file: print its entry count, or every error (exit 1)."
    )

    @Argument(help: "The map file.")
    var file: String

    func run() throws {
        do {
            let map = try PCREMap.load(path: file)
            print("\(file): OK, \(map.entries.count) entries, \(map.fetchableValues.count) without group references")
        } catch {
            printToStandardError(error.description)
            printToStandardError("\(file): \(error.diagnostics.count) error(s)")
            throw ExitCode(1)
        }
    }
}
