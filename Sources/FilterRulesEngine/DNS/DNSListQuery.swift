import DNSLists
import FilterRules

/// One lookup a step's rules need: a list, and what is looked up in it for the step's input
/// of `stage` (nil when that input is nothing a list holds: it is then not looked up).
struct DNSListQuery {
    let stage: Stage
    let list: DNSList
    let subject: DNSListSubject?
    /// Whether a listing's TXT record is wanted too (a rule on the list says `$txt`).
    let wantsText: Bool

    /// The lookups `ruleSet`'s `listed` terms need for `inputs` (each a stage and its input),
    /// what serve and the dry-run both ask.
    static func needed(by ruleSet: CompiledRuleSet, for inputs: [(stage: Stage, value: String)]) -> [DNSListQuery] {
        inputs.flatMap { stage, value in
            ruleSet.dnsLists(at: stage).map { list in
                DNSListQuery(
                    stage: stage, list: list, subject: DNSListDeclaration.subject(at: stage, value),
                    wantsText: ruleSet.wantsText(list))
            }
        }
    }
}
