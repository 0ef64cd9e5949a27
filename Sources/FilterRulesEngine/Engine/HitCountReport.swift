import FilterRules
#if canImport(FoundationEssentials)
    import FoundationEssentials  // Foundation without its ICU data (static binaries)
#else
    import Foundation
#endif

/// The per-rule hit counts SIGUSR1 logs.
public enum HitCountReport {
    /// One line per rule: location, stage, hits, the rule's text; a header line first.
    public static func lines(for ruleSet: CompiledRuleSet, since start: Date) -> [String] {
        var lines = ["rule hit counts since \(start.formatted(.iso8601)) (\(ruleSet.rules.count) rules, \(ruleSet.file.path)):"]
        for (rule, hits) in ruleSet.hitReport {
            lines.append("\(rule.location.fileAndLine) \(rule.stage) hits=\(hits)\(hits == 0 ? " (never matched)" : "") \(rule.source)")
        }
        return lines
    }
}
