/// What is said about rules on session facts (auth, tls, fcrdns) and reports (authfail) when the file serves
/// OpenSMTPD 6.0.x (filter API 52), which reports none of them.
public enum SessionFactWarnings {
    /// One warning per term on a session fact, at the term.
    public static func forFilterAPI52(_ ruleSet: CompiledRuleSet) -> [RuleWarning] {
        ruleSet.rules.flatMap { compiled in
            compiled.rule.terms.filter { $0.stage.isSessionFact || $0.stage == .authfail }.map { term in
                if term.stage == .authfail {
                    return RuleWarning(
                        term.location, "authfail rules never fire on OpenSMTPD 6.0.x (filter API 52), which reports no failed AUTH")
                }
                return RuleWarning(
                    term.location,
                    "\(term.stage) terms see the empty string on OpenSMTPD 6.0.x (filter API 52), "
                        + "which reports no \(term.stage == .auth ? "authentication" : term.stage == .tls ? "TLS" : "FCrDNS result")")
            }
        }
    }
}
