import ConfigurationFiles
import DNSLists

/// What a rules file declares for its terms to name: DNS lists, rate limits and dynamic
/// lists, each by name.
struct RuleDeclarations: Sendable {
    var dnsLists: [String: DNSList] = [:]
    var limits: [String: LimitDeclaration] = [:]
    var dynlists: [String: DynlistDeclaration] = [:]

    /// The declarations of `options`, and a diagnostic for each name declared twice.
    static func of(_ options: RuleOptions) -> (RuleDeclarations, [RuleDiagnostic]) {
        let (lists, listErrors) = byName(options.dnsLists, kind: "list", each: "each list") { ($0.list.name, $0.location) }
        let (limits, limitErrors) = byName(options.rateLimits, kind: "limit", each: "each") { ($0.name, $0.location) }
        let (dynlists, dynlistErrors) = byName(options.dynlists, kind: "dynlist", each: "each") { ($0.name, $0.location) }
        return (
            RuleDeclarations(dnsLists: lists.mapValues(\.list), limits: limits, dynlists: dynlists),
            listErrors + limitErrors + dynlistErrors
        )
    }

    /// `declarations` by name, the first of each name, and a diagnostic for each name
    /// declared again (`list zen is declared twice (first at r.conf:3); give each list its
    /// own name`).
    private static func byName<Declaration>(
        _ declarations: [Declaration], kind: String, each: String, _ nameAndLocation: (Declaration) -> (String, SourceLocation)
    ) -> ([String: Declaration], [RuleDiagnostic]) {
        var byName: [String: (declaration: Declaration, location: SourceLocation)] = [:]
        var diagnostics: [RuleDiagnostic] = []
        for declaration in declarations {
            let (name, location) = nameAndLocation(declaration)
            if let earlier = byName[name] {
                diagnostics.append(
                    RuleDiagnostic(
                        location, "\(kind) \(name) is declared twice (first at \(earlier.location.fileAndLine)); give \(each) its own name"))
                continue
            }
            byName[name] = (declaration, location)
        }
        return (byName.mapValues(\.declaration), diagnostics)
    }
}
