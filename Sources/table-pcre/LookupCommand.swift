import ArgumentParser
import CommandLineSupport
import PCRETable

/// `table-pcre lookup FILE KEY`: what LOOKUP would answer, like `postmap -q`.
struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Print the expanded value for KEY: exit 0 when found, 1 when not found, 2 on errors."
    )

    @Argument(help: "The map file.")
    var file: String

    @Argument(help: "The key to look up.")
    var key: String

    func run() throws {
        let map = try loadMap(file, exitingWith: 2)
        do {
            guard let value = try map.lookup(key) else { throw ExitCode(1) }
            print(value)
        } catch let error as PCREMapError {
            printToStandardError(error.description)
            throw ExitCode(2)
        }
    }
}
