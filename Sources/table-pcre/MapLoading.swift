import ArgumentParser
import CommandLineSupport
import PCRETable

/// Loads the map file for `check` and `lookup`; on errors prints every diagnostic and their
/// count to stderr and exits with `status`.
func loadMap(_ file: String, exitingWith status: Int32) throws -> PCREMap {
    do {
        return try PCREMap.load(path: file)
    } catch {
        printToStandardError(error.description)
        printToStandardError("\(file): \(error.diagnostics.count) error(s)")
        throw ExitCode(status)
    }
}
