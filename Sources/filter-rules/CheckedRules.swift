import ArgumentParser
import CommandLineSupport
import FilterRules

/// The rules file as `check` and `reload` read it.
enum CheckedRules {
    /// Loads and compiles `path`. On errors prints each as `file:line:column: message`,
    /// then `file: N error(s)` followed by `consequence`, to stderr, and exits 1. Warnings
    /// are printed to stderr as `file:line:column: warning: message`, then
    /// `file: N warning(s)`, and the file is used.
    static func load(_ path: String, consequence: String = "") throws -> CompiledRuleSet {
        do {
            let ruleSet = try RuleSetLoader.load(path: path)
            for warning in ruleSet.warnings { printToStandardError(warning.description) }
            if !ruleSet.warnings.isEmpty { printToStandardError("\(path): \(ruleSet.warnings.count) warning(s)") }
            return ruleSet
        } catch {
            printToStandardError(error.description)
            printToStandardError("\(path): \(error.diagnostics.count) error(s)\(consequence)")
            throw ExitCode(1)
        }
    }
}
