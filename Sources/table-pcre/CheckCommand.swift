import ArgumentParser

/// `table-pcre check FILE`: validates a map file.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a map file: print its entry count, or every error (exit 1)."
    )

    @Argument(help: "The map file.")
    var file: String

    func run() throws {
        let map = try loadMap(file, exitingWith: 1)
        print("\(file): OK, \(map.entries.count) entries, \(map.fetchableValues.count) without group references")
    }
}
