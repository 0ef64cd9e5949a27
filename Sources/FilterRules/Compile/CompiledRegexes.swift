import PCRE2Matching

/// The compiled regexes of a rule set, by source and flags, for a reload to reuse: PCRE2's
/// compile (with JIT) is most of loading a file of thousands of rules, and a reload mostly
/// changes a few. A compiled regex is immutable and matched with the caller's scratch, so
/// the old set and the new one can share it.
struct CompiledRegexes: Sendable {
    private let regexes: [Key: PCRE2Regex]

    private struct Key: Hashable, Sendable {
        var source: String
        var flags: RegexFlags
    }

    /// The regexes of every term of `set`'s rules.
    init(of set: CompiledRuleSet) {
        var regexes: [Key: PCRE2Regex] = [:]
        for rule in set.rules {
            for term in rule.combined?.terms ?? [rule.term] {
                if case .regex(let regex) = term.predicate, case .regex(let source, let flags, _) = term.term.pattern {
                    regexes[Key(source: source, flags: flags)] = regex
                }
            }
        }
        self.regexes = regexes
    }

    /// The compiled regex of `source` with `flags`, if the set had it.
    func regex(_ source: String, _ flags: RegexFlags) -> PCRE2Regex? {
        regexes[Key(source: source, flags: flags)]
    }
}
