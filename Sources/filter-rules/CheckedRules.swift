import ArgumentParser
import CommandLineSupport
import FilterRules

/// The rules file as `check` and `reload` read it.
enum CheckedRules {
    /// Loads and compiles `path`. On errors prints each as `file:line:column: message`,
    /// then `file: N error(s)` followed by `consequence`, to stderr, and exits 1.
    static func load(_ path: String, consequence: String = "") throws -> CompiledRuleSet {
        do {
            return try RuleSetLoader.load(path: path)
        } catch {
            printToStandardError(error.description)
            printToStandardError("\(path): \(error.diagnostics.count) error(s)\(consequence)")
            throw ExitCode(1)
        }
    }
}
