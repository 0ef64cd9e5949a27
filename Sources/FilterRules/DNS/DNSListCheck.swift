import ConfigurationFiles
import DNSLists

/// The checks of a file's DNS list declarations against each other and against the terms
/// that use them.
enum DNSListCheck {
    /// The lists by name, and a diagnostic for each name declared twice.
    static func declared(_ declarations: [DNSListDeclaration]) -> (lists: [String: DNSList], diagnostics: [RuleDiagnostic]) {
        var lists: [String: DNSList] = [:]
        var first: [String: SourceLocation] = [:]
        var diagnostics: [RuleDiagnostic] = []
        for declaration in declarations {
            let name = declaration.list.name
            if let earlier = first[name] {
                diagnostics.append(
                    RuleDiagnostic(declaration.location, "list \(name) is declared twice (first at \(earlier.fileAndLine)); give each list its own name"))
                continue
            }
            first[name] = declaration.location
            lists[name] = declaration.list
        }
        return (lists, diagnostics)
    }

    /// The diagnostic of a `listed NAME` term whose list is not declared.
    static func undeclared(_ name: String, at location: SourceLocation) -> RuleDiagnostic {
        RuleDiagnostic(location, "no DNS list named \(name): declare it with 'dnslist \(name) ZONE [CODES...]', e.g. dnslist \(name) zen.spamhaus.org")
    }
}
