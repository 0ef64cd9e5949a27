import FilterRules
import Foundation

/// The per-rule hit counts SIGUSR1 logs.
public enum HitCountReport {
    /// One line per rule: location, stage, hits, the rule's text; a header line first.
    public static func lines(for ruleSet: CompiledRuleSet, since start: Date) -> [String] {
        let formatter = ISO8601DateFormatter()
        var lines = ["rule hit counts since \(formatter.string(from: start)) (\(ruleSet.rules.count) rules, \(ruleSet.file.path)):"]
        for (rule, hits) in ruleSet.hitReport {
            lines.append("\(rule.location.fileAndLine) \(rule.stage) hits=\(hits)\(hits == 0 ? " (never matched)" : "") \(rule.source)")
        }
        return lines
    }
}
